// bincode 2's derive writes an explicit discriminant as the variant's index, so a variant
// declared mid-enum moves nothing when every later one says its number.
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

fn main() {
    let table = <Level as Compat>::MESSAGE;
    assert_eq!(table.indexes, &[0, 5, 1]);
    assert_eq!(table.variant_index(1), 5);
}
