//! The Gullveig demo: peers from "Upgrading Gullveig" checked against the policy the build
//! enforced, and a 1.0 agent's report read by this 1.1.5 server.

use gullveig_protocol::{AgentReport, VERSION, policy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = policy();
    println!("gullveig-protocol {VERSION}, policy {}", policy.source());

    // "server with version 1.1.5 is compatible with agents 1.1.5 or older. Agent with
    // version 1.1.5 is guaranteed compatible with servers up to, but excluding version
    // 2.0.0. Web user interface version 1.1.5 is only guaranteed compatible with reporting
    // server version 1.1.5."
    for (a, b) in [
        ("agent@1.0.2", "server@1.1.5"),
        ("agent@1.1.5", "server@1.9.0"),
        ("agent@1.1.5", "server@2.0.0"),
        ("agent@1.2.0", "server@1.1.5"),
        ("web@1.1.5", "server@1.1.5"),
        ("web@1.1.4", "server@1.1.5"),
        ("agent@0.9.1", "server@0.9.2"),
    ] {
        match policy.check(&policy.peer(a)?, &policy.peer(b)?) {
            Ok(_) => println!("  {a} with {b}: accepted"),
            Err(refusal) => println!("  {a} with {b}: refused: {refusal}"),
        }
    }

    // A 1.0 agent has neither health checks (1.1.0) nor uptime (1.1.4).
    let report: AgentReport = serde_json::from_str(
        r#"{"ident":"web-01","time":1600000000,"meta":{"os":"Linux"},
            "metrics":[{"s":"mod_fs","m":"/var:used","v":41.5,"u":"%"}]}"#,
    )?;
    println!(
        "a 1.0.0 agent's report: health {:?}, uptime {:?}, metric range {:?}..{:?}",
        report.health, report.uptime, report.metrics[0].from, report.metrics[0].to
    );
    Ok(())
}
