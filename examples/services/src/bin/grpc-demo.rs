//! SPIRE's node API over gRPC: a tonic server at 0.9.3 behind compat's interceptor, and
//! agents at a mix of versions, checking the server through compat's client layer.
//!
//! ```text
//! cargo run -p spire-services --bin grpc-demo
//! ```

use compat_runtime::census::Census;
use compat_runtime::tonic::refusal;
use compat_runtime::tower::CompatClientLayer;
use spire_services::endpoint;
use spire_services::grpc::{NodeClient, interceptor, serve};
use tower::Layer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let census = Census::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(serve(listener, interceptor("0.9.3", census.clone())?));
    println!("spire server 0.9.3 on {addr} (tonic, compat::tonic::ServerInterceptor)");

    let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;
    for version in ["0.9.3", "0.9.2", "0.8.4", "0.9.4", "0.7.0"] {
        let layer = CompatClientLayer::new(endpoint("agent", version)?);
        let mut agent = NodeClient::new(layer.layer(channel.clone()));
        match agent.bundle().await {
            Ok(bundle) => print!("agent {version}: in: {}", bundle.into_inner()),
            Err(status) => match refusal(&status) {
                Some(refused) => println!("agent {version}: {:?}: {refused}", status.code()),
                None => println!("agent {version}: {status}"),
            },
        }
    }
    println!("\ncensus:\n{}", census.snapshot());
    Ok(())
}
