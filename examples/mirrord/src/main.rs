//! The mirrord demo: peers from the "Versioning" page checked against the policy the build
//! enforced, and a 3.0 CLI's session request read by this 3.118.0 operator.

use mirrord_protocol::{LicenseTier, SessionRequest, VERSION, policy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = policy();
    println!("mirrord-protocol {VERSION}, policy {}", policy.source());

    for (a, b) in [
        // The page: a license server may serve operators older than itself.
        ("operator@3.40.2", "license-server@3.118.0"),
        ("cli@3.120.1", "operator@3.118.0"),
        // The page: only a new major version may break compatibility.
        ("cli@2.9.0", "operator@3.118.0"),
        // The operator deploys its own agent release.
        ("agent@3.118.0", "operator@3.118.0"),
        ("agent@3.117.0", "operator@3.118.0"),
    ] {
        match policy.check(&policy.peer(a)?, &policy.peer(b)?) {
            Ok(_) => println!("  {a} with {b}: accepted"),
            Err(refusal) => println!("  {a} with {b}: refused: {refusal}"),
        }
    }

    // A 3.0 CLI knows neither `steal` (3.60.0) nor `copy_target` (3.106.0).
    let request: SessionRequest =
        serde_json::from_str(r#"{"target":"deployment/api","namespace":"default"}"#)?;
    println!("a 3.0.0 CLI's session request: {request:?}");
    // A tier from a newer license server lands in the catch-all.
    let tier: LicenseTier = serde_json::from_str(r#""enterprise_plus""#)?;
    println!("a newer license server's tier \"enterprise_plus\" reads as {tier:?}");
    Ok(())
}
