//! The refusal as JSON: the body of an HTTP refusal, and the value of the `compat-refusal`
//! header or metadata entry, so a client reads it without reading a body.

use serde::{Deserialize, Serialize};

use crate::handshake::{Refused, RefusedKind};

/// The most bytes of a refusal's JSON a client reads: the fields of a refusal are bounded
/// on the wire, and a hostile server must not make a client parse more.
pub const MAX_REFUSAL_JSON: usize = 16 * 1024;

#[derive(Serialize, Deserialize)]
struct Wire {
    /// The whole refusal in one line, for people reading the body.
    message: String,
    by: String,
    kind: String,
    code: u8,
    subject: String,
    other: String,
    reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    remedy: Option<String>,
}

/// The refusal as one JSON object, in ASCII only (anything else escaped as `\uXXXX`), so
/// it fits in a header value as it is.
pub(crate) fn to_json(refused: &Refused) -> String {
    let wire = Wire {
        message: refused.to_string(),
        by: refused.by().to_owned(),
        kind: refused.kind().as_str().to_owned(),
        code: refused.kind().code(),
        subject: refused.subject().to_owned(),
        other: refused.other().to_owned(),
        reason: refused.reason().to_owned(),
        rule: refused.rule().map(str::to_owned),
        origin: refused.origin().map(str::to_owned),
        note: refused.note().map(str::to_owned),
        remedy: refused.remedy().map(str::to_owned),
    };
    let json = serde_json::to_string(&wire).unwrap_or_default();
    if json.is_ascii() {
        return json;
    }
    let mut ascii = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if c.is_ascii() {
            ascii.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                ascii.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    ascii
}

/// Reads a refusal back from its JSON; the error says what is wrong with it.
pub(crate) fn from_json(bytes: &[u8]) -> Result<Refused, String> {
    if bytes.len() > MAX_REFUSAL_JSON {
        return Err(format!(
            "the refusal is {} bytes long, more than the {MAX_REFUSAL_JSON} a refusal can be",
            bytes.len()
        ));
    }
    let wire: Wire = serde_json::from_slice(bytes)
        .map_err(|e| format!("the refusal is not the JSON of a compat refusal: {e}"))?;
    Ok(Refused::new(
        wire.by,
        RefusedKind::from_code(wire.code),
        wire.subject,
        wire.other,
        wire.reason,
    )
    .with_rule(wire.rule, wire.origin)
    .with_note(wire.note)
    .with_remedy(wire.remedy.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_survives_its_json_and_the_json_is_ascii() {
        let refused = Refused::new(
            "server@0.9.3",
            RefusedKind::BadHello,
            "peer",
            "server@0.9.3",
            "the `compat-peer` header `agent\u{e9}` is not text",
        )
        .with_rule(
            Some("rule \u{1f600}".into()),
            Some("compat.toml:4:1".into()),
        )
        .with_note(Some("note".into()))
        .with_remedy("send one");
        let json = to_json(&refused);
        assert!(json.is_ascii(), "{json}");
        assert_eq!(from_json(json.as_bytes()).unwrap(), refused);
    }

    #[test]
    fn garbage_is_not_a_refusal() {
        let err = from_json(b"{\"by\": 3}").unwrap_err();
        assert!(
            err.starts_with("the refusal is not the JSON of a compat refusal"),
            "{err}"
        );
        let err = from_json(&vec![b' '; MAX_REFUSAL_JSON + 1]).unwrap_err();
        assert!(err.contains("more than the 16384"), "{err}");
    }
}
