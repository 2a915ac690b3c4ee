//! The Gullveig demo: peers from "Upgrading Gullveig" checked against the policy the build
//! enforced, and a 1.0 agent's report read by this 1.1.5 server.

use gullveig_protocol::{AgentReport, VERSION, policy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = policy();
    println!("gullveig-protocol {VERSION}, policy {}", policy.source());

    // The page's example: a 1.1.5 server takes agents at 1.1.5 and below; a 1.1.5 agent is
    // promised to work with servers up to, and not including, 2.0.0; and the 1.1.5 web
    // interface is promised to work with the 1.1.5 reporting server, and with no other
    // version.
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
