//! The SPIRE demo: the peers of the seed document checked against the policy the build
//! enforced, and a 0.8 agent's attestation read by this 0.9.3 server.

use spire_protocol::{AttestRequest, VERSION, policy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = policy();
    println!("spire-protocol {VERSION}, policy {}", policy.source());

    // The page's example: with servers at 0.9.3 and 0.9.2, agents from 0.8.0 up to and
    // including 0.9.2 are supported.
    for (a, b) in [
        ("agent@0.8.0", "server@0.9.2"),
        ("agent@0.9.2", "server@0.9.2"),
        ("agent@0.9.3", "server@0.9.2"),
        ("agent@0.7.4", "server@0.9.3"),
        ("server@0.8.1", "server@0.9.3"),
        ("server@0.7.0", "server@0.9.3"),
    ] {
        match policy.check(&policy.peer(a)?, &policy.peer(b)?) {
            Ok(_) => println!("  {a} with {b}: accepted"),
            Err(refusal) => println!("  {a} with {b}: refused: {refusal}"),
        }
    }

    // An agent from 0.8.0 never sends `previous_agent_id` (0.9.0) and a server at 0.9.3
    // must still attest it: the field reads as `None`.
    let from_0_8 = r#"{"attestation_data":{"type":"join_token","data":[116,111,107]},"csr":[48,130],"response":null}"#;
    let request: AttestRequest = serde_json::from_str(from_0_8)?;
    println!("an 0.8.0 agent's attestation: {request:?}");
    println!(
        "  previous_agent_id defaults to {:?}",
        request.previous_agent_id
    );
    println!(
        "  and goes back out as {}",
        serde_json::to_string(&request)?
    );
    Ok(())
}
