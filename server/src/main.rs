//! `server`: read the configuration, build the application, serve until
//! SIGTERM or Ctrl-C, then drain in-flight requests and exit.

use server::{config::Config, startup::Application, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let config = Config::from_env()?;
    let app = Application::build(config).await?;
    tracing::info!(addr = %app.local_addr(), "Pasokh is listening");
    println!("Pasokh is serving at http://{}", app.local_addr());
    app.run_until_stopped().await
}
