//! `do-images-sandbox`: serves a simulated Images API on 127.0.0.1 until
//! Ctrl-C.

use clap::Parser;
use do_images_sandbox::{ServeArgs, serve_until_ctrl_c};

/// A local, stateful simulation of the DigitalOcean Images API.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match serve_until_ctrl_c(&cli.serve, &mut std::io::stdout()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
