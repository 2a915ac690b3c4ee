// One build reports every mistake of the item, and code using the table still
// type-checks (the derive emits a stub impl), so nothing else is reported.
use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "sever")]
#[since("0.8")]
pub struct Hello {
    #[compat(ignorabel)]
    pub node: String,
    #[since("0.10.0")]
    pub zone: Option<String>,
}

fn main() {
    let _ = Hello::MESSAGE.name;
}
