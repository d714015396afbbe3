#!/usr/bin/env bash
# Installs cargo-leptos and the wasm-bindgen CLI when missing, both at once.
#
# Usage: scripts/install-rust-tools.sh <cargo-leptos version> <wasm-bindgen version>
#
# Both are build tools, not shipped code, so they are compiled at opt-level 1:
# on 2 cores that roughly halves cargo-leptos's build (it compiles swc,
# lightningcss and binaryen's C++), and the site build they drive stays
# dominated by rustc. The two installs run side by side: each has long
# single-crate stretches that leave a core idle.
set -euo pipefail
leptos_version="$1"
bindgen_version="$2"
fast=(--config 'profile.release.opt-level=1' --config 'profile.release.lto=false')
pids=()
if ! wasm-bindgen --version 2>/dev/null | grep -q "$bindgen_version"; then
  echo "Installing wasm-bindgen-cli $bindgen_version"
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force "${fast[@]}" &
  pids+=($!)
fi
if ! cargo leptos --version 2>/dev/null | grep -q "$leptos_version"; then
  echo "Installing cargo-leptos $leptos_version"
  cargo install cargo-leptos --version "$leptos_version" --locked --features no_downloads "${fast[@]}" &
  pids+=($!)
fi
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit "$status"
