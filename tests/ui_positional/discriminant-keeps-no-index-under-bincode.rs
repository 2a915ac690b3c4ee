// bincode 2's derive writes a variant's place, whatever its discriminant says: `High = 1`
// still moved from index 1 to 2 when `Middle` went in before it.
use compat_runtime::Compat;

#[derive(Compat)]
#[compat(from = "server", to = "agent")]
#[since("0.8.0")]
pub enum Level {
    Low = 0,
    #[since("0.9.0")]
    Middle = 5,
    High = 1,
}

fn main() {}
