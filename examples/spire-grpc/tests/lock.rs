//! The wire lock of the generated prost messages: `compat.lock` holds release 0.9.3 by
//! field number, and three wire-breaking edits of `node.proto` (`BREAKING_EDITS` in
//! `build.rs`) fail it,
//! each naming the field, the release and the fix.

use spire_grpc::{PROTOS, broken, policy};

#[test]
fn the_generated_messages_keep_faith_with_their_recorded_release() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let report =
        compat_runtime::lock::verify_proto_with(dir.as_ref(), policy(), "0.9.3", PROTOS, false)
            .unwrap();
    assert!(
        report.compared.is_empty() && report.outside.is_empty(),
        "{report}"
    );
}

#[test]
fn three_wire_breaking_proto_edits_fail_the_lock_with_the_fix() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let error = compat_runtime::lock::verify_proto_with(
        dir.as_ref(),
        policy(),
        "0.9.4",
        broken::PROTOS,
        false,
    )
    .unwrap_err();
    let problems = error.problems.join("\n");
    assert!(problems.contains("field 2 `csr` of `spire.api.node.v1.AttestRequest` was deleted but its number is not reserved"), "{problems}");
    assert!(
        problems.contains("add `reserved 2; reserved \"csr\";` to message `AttestRequest`"),
        "{problems}"
    );
    assert!(problems.contains("field 2 `payload` of `spire.api.node.v1.AttestationData` changed type from `bytes` to `uint64`"), "{problems}");
    assert!(
        problems.contains(
            "value 3 `Draining` of enum `spire.api.node.v1.AgentStatus` is not in release 0.9.3"
        ),
        "{problems}"
    );
    assert!(
        problems.contains("server 0.9.4 sends it to agent 0.9.3"),
        "{problems}"
    );
    assert_eq!(error.problems.len(), 3, "{problems}");
}
