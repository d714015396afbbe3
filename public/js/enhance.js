// Pasokh: small enhancements on every page; the plain HTML works without them.

// Copy buttons (the tracking code): shown only where the clipboard exists.
if (navigator.clipboard)
  for (const b of document.querySelectorAll('button[data-copy]')) {
    const label = b.textContent;
    const live = !b.hasAttribute('aria-live') && b.parentElement.querySelector('[role=status]');
    const say = (t) => live && (live.textContent = t);
    let timer;
    b.hidden = false;
    b.onclick = () =>
      navigator.clipboard.writeText(b.dataset.copy).then(() => {
        say((b.textContent = b.dataset.msgCopied));
        clearTimeout(timer);
        timer = setTimeout(() => {
          b.textContent = label;
          say('');
        }, 2000);
      }, console.warn);
  }

// The filing form's stylesheet and script, only where it is.
const form = document.getElementById('report-form');
if (form) {
  // The page names this script with a version (?v=…); its parts share it.
  const v = new URL(import.meta.url).search;
  const css = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: '/js/report.css' + v });
  const styled = new Promise((done) => setTimeout((css.onload = css.onerror = done), 3000));
  document.head.append(css);
  Promise.all([import('/js/report.js' + v), styled])
    .then(([m]) => m.enhance(form))
    .catch(console.warn);
}
