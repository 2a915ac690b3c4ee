//! SPIRE's node API over HTTP: an axum server at 0.9.3 behind compat's layer, and agents at
//! a mix of versions calling it through compat's client layer.
//!
//! ```text
//! cargo run -p spire-services --bin http-demo                       # the demo, then exits
//! cargo run -p spire-services --bin http-demo -- --serve 127.0.0.1:8081   # keeps serving, for curl
//! ```

use bytes::Bytes;
use compat_runtime::census::Census;
use http_body_util::Full;
use spire_protocol::ServerMessage;
use spire_services::endpoint;
use spire_services::http::{Agent, server};

fn bundle(addr: std::net::SocketAddr) -> Result<http::Request<Full<Bytes>>, http::Error> {
    http::Request::get(format!("http://{addr}/bundle")).body(Full::new(Bytes::new()))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let serve = match std::env::args().nth(1).as_deref() {
        None => None,
        Some("--serve") => Some(
            std::env::args()
                .nth(2)
                .unwrap_or_else(|| "127.0.0.1:8081".into()),
        ),
        Some(other) => {
            return Err(format!(
                "unknown argument `{other}`: run with no arguments, or `--serve ADDR`"
            )
            .into());
        }
    };
    let census = Census::new();
    let listener = tokio::net::TcpListener::bind(serve.as_deref().unwrap_or("127.0.0.1:0")).await?;
    let addr = listener.local_addr()?;
    let app = server("0.9.3", census.clone())?;
    let serving = tokio::spawn(async move { axum::serve(listener, app).await });
    println!(
        "spire server 0.9.3 on http://{addr} (axum, compat_runtime::tower::CompatServerLayer)"
    );

    let request = spire_services::join_token_attestation();
    for version in ["0.9.3", "0.9.2", "0.8.4", "0.9.4", "0.7.0"] {
        let agent = Agent::new(endpoint("agent", version)?, addr);
        match agent.post::<_, ServerMessage>("/attest", &request).await {
            Ok(ServerMessage::Update(update)) => println!(
                "agent {version}: attested, {} svid(s), entries revision {}",
                update.svids.len(),
                update.entries_revision
            ),
            Ok(other) => println!("agent {version}: answered {other:?}"),
            Err(refused) => println!("agent {version}: {refused}"),
        }
        if let Ok(response) = agent.send(bundle(addr)?).await
            && let Some(notice) = response.headers().get("compat-notice")
        {
            println!("  notice: {}", notice.to_str()?);
        }
    }
    println!("\ncensus (GET /census):\n{}", census.snapshot());
    if serve.is_some() {
        println!(
            "try: curl -si -X POST http://{addr}/attest -H 'compat-peer: agent@0.9.4' -d '{{}}'"
        );
        serving.await??;
    }
    Ok(())
}
