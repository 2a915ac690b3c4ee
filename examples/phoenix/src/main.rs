//! The Phoenix demo: peers from the "Backward Compatibility" page checked against the
//! policy the build enforced, and a 4.1 client's request read by this 4.3.1 server.

use phoenix_protocol::{MetaDataRequest, VERSION, policy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = policy();
    println!("phoenix-protocol {VERSION}, policy {}", policy.source());

    for (a, b) in [
        // The page: a client up to two minors behind works with a server jar of a newer
        // minor, not the other way round.
        ("client@4.1.2", "server@4.3.1"),
        ("client@4.0.0", "server@4.3.1"),
        ("client@4.3.1", "server@4.2.0"),
        // Patch releases: either side may go first.
        ("client@4.3.2", "server@4.3.1"),
        // From 4.3 on, the page allows clients of different minor versions side by side;
        // before, they moved together.
        ("client@4.1.0", "client@4.3.1"),
        ("client@4.1.0", "client@4.2.0"),
    ] {
        match policy.check(&policy.peer(a)?, &policy.peer(b)?) {
            Ok(_) => println!("  {a} with {b}: accepted"),
            Err(refusal) => println!("  {a} with {b}: refused: {refusal}"),
        }
    }

    // A 4.1 client does not send `skip_add_to_cache` (4.2.0).
    let request: MetaDataRequest = serde_json::from_str(
        r#"{"op":"GET_TABLE","tenant_id":"","schema_name":"S","table_name":"T",
            "table_timestamp":0,"client_timestamp":1420070400000,"client_version":40100}"#,
    )?;
    println!("a 4.1.0 client's request: {request:?}");
    // A 4.3.2 client's new call lands in the catch-all.
    let newer: MetaDataRequest = serde_json::from_str(r#"{"op":"CLEAR_CACHE","all":true}"#)?;
    println!("a newer client's CLEAR_CACHE reads as {newer:?}");
    Ok(())
}
