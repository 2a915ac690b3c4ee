// Tuple and unit structs: tuple fields are named by their index.
use compat_runtime::{Compat, Kind, Shape};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Reading(
    pub f64,
    pub u32,
    #[since("0.9.0")]
    #[serde(default)]
    pub Option<String>,
);

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub struct Ping;

fn main() {
    let reading = Reading::MESSAGE;
    assert_eq!(reading.kind, Kind::Struct(Shape::Tuple));
    assert_eq!(reading.fields[0].name, "0");
    assert_eq!(reading.field("2").unwrap().since, "0.9.0");
    assert!(reading.field("2").unwrap().default);
    assert_eq!(Ping::MESSAGE.kind, Kind::Struct(Shape::Unit));
    assert!(Ping::MESSAGE.fields.is_empty());
}
