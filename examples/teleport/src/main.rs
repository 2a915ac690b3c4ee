//! The Teleport demo: peers from RFD 12 checked against the policy the build enforced, and
//! a v7 `tsh` login read by this 8.1.0 proxy.

use teleport_protocol::{LoginRequest, VERSION, policy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = policy();
    println!("teleport-protocol {VERSION}, policy {}", policy.source());

    for (a, b) in [
        // RFD 12: a vN.*.* binary works with every other vN.*.* or vN-1.*.* binary.
        ("node@7.3.0", "auth@8.1.0"),
        ("tsh@8.1.0", "proxy@7.0.2"),
        ("node@6.2.0", "auth@8.1.0"),
        // Release candidates are potentially production-ready; betas are not.
        ("auth@9.0.0-rc.1", "proxy@8.1.0"),
        ("auth@9.0.0-beta.1", "proxy@8.1.0"),
        // Before 6.0: a 4.0.1 component works with every 4.0.3 one (patches mix), tsh only
        // with its own minor.
        ("proxy@4.3.1", "auth@4.4.0"),
        ("tsh@4.3.0", "proxy@4.4.0"),
    ] {
        match policy.check(&policy.peer(a)?, &policy.peer(b)?) {
            Ok(_) => println!("  {a} with {b}: accepted"),
            Err(refusal) => println!("  {a} with {b}: refused: {refusal}"),
        }
    }

    // `tsh` 7.0 sends neither `kubernetes_cluster` (7.3.0) nor `attest_key` (8.1.0).
    let login: LoginRequest = serde_json::from_str(
        r#"{"user":"alice","password":"hunter2","otp_token":"123456",
            "pub_key":"ssh-ed25519 AAAA","ttl":43200000000000,"route_to_cluster":""}"#,
    )?;
    println!(
        "a 7.0.0 tsh login: kubernetes_cluster {:?}, attest_key {}",
        login.kubernetes_cluster, login.attest_key
    );
    // `attest_key` is ignorable: left out when false, so a 7.x proxy never sees it.
    println!(
        "  and sent to a v7 proxy as {}",
        serde_json::to_string(&login)?
    );
    Ok(())
}
