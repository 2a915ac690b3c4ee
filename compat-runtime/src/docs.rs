//! The reference documents of compat, as pages of these docs: [`policy`] is
//! `docs/policy.md` and [`handshake`] is `docs/handshake.md` of the compat repository, the
//! same Markdown files.

pub mod policy {
    #![doc = include_str!("../docs/policy.md")]
}

pub mod handshake {
    #![doc = include_str!("../docs/handshake.md")]
}
