use compat_runtime::Compat;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Compat)]
#[compat(from = "agent", to = "server")]
#[since("0.8.0")]
pub enum Report {
    Health {
        ok: bool,
        #[since("0.9.0")]
        load: f32,
    },
    #[since("0.9.0")]
    Inventory { disks: u32 },
}

fn main() {}
