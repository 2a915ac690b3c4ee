//! The rules of `#[derive(Compat)]` under a positional codec (`[wire] codec =
//! "serde-positional"`, `"bincode"` or `"borsh"`, or `#[compat(codec = "...")]`), one
//! function each: field order and variant index are the wire and names never travel. A new
//! struct field is always a break (every older peer misreads the bytes after it, whatever
//! its default), and a variant is safe only appended at the end and only if never sent to
//! a peer that predates it, which the send guard sees to: no catch-all exists (an unknown
//! index is a fatal decode error), so none is demanded. serde's advice (`Option<_>`,
//! `#[serde(default)]`, a catch-all) is never given here.
//!
//! [`crate::rules::check`] runs these instead of the rules that assume names travel.

use crate::ast::{Data, Field, Input, Variant};
use crate::attr::{SkipSerializing, Tagging};
use crate::codec::Codec;
use crate::ctxt::Ctxt;
use crate::env::{Env, Policy};
use crate::env_window::Window;
use crate::rules::{oldest_sender, receiver_at};
use semver::Version;

/// What the positional rules need: the codec, where it is said, the release being built,
/// the policy and the windows of the message's routes.
pub(crate) struct Positional<'a> {
    pub(crate) codec: Codec,
    /// `[wire] codec at compat.toml:31:9`, or the type's own `#[compat(codec = ...)]`.
    pub(crate) said: String,
    pub(crate) version: Option<&'a Version>,
    pub(crate) policy: &'a Policy,
    pub(crate) windows: &'a [&'a Window],
}

impl<'a> Positional<'a> {
    pub(crate) fn new(
        input: &Input<'_>,
        env: &'a Env,
        policy: &'a Policy,
        windows: &'a [&'a Window],
    ) -> Self {
        Positional {
            codec: env.codec(input),
            said: env.codec_origin(input),
            version: env.version.as_ref(),
            policy,
            windows,
        }
    }

    /// `bincode (bincode 2's native Encode/Decode; [wire] codec at compat.toml:31:9)`.
    fn codec(&self) -> String {
        let codec = self.codec;
        format!("{} ({}; {})", codec.as_str(), codec.gloss(), self.said)
    }

    /// The first peer inside a window that predates `release` (a member of something that
    /// shipped in `container`), said as the sentence that names it, the route and the rule:
    /// a sender older than `release` that a receiver at this release must still accept, or
    /// (where senders may be newer) a receiver older than `release` that a sender at this
    /// release still reaches.
    fn peer_before(&self, release: &Version, container: &Version, what: &str) -> Option<String> {
        let before =
            |oldest: Option<&Version>| release > oldest.unwrap_or(container).max(container);
        for window in self.windows {
            let route = format!(
                "route {} > {}, {}, {}",
                window.sender, window.receiver, window.origin, window.text
            );
            if before(window.oldest.as_ref()) {
                return Some(format!(
                    "{} must still accept {} ({route})",
                    receiver_at(window, self.version),
                    oldest_sender(window)
                ));
            }
            let oldest_receiver = self
                .policy
                .window(&window.receiver, &window.sender)
                .and_then(|back| back.oldest.as_ref());
            if window.newer && before(oldest_receiver) {
                let sender = match self.version {
                    Some(version) => format!("{} {version}", window.sender),
                    None => format!("{} at this version", window.sender),
                };
                let receiver = match oldest_receiver {
                    Some(oldest) => format!("{} {oldest}", window.receiver),
                    None => format!("any older {}", window.receiver),
                };
                return Some(format!(
                    "{sender} still sends {what} to {receiver} ({route})"
                ));
            }
        }
        None
    }
}

/// Runs the positional rules that need the policy: new fields and inserted variants.
pub(crate) fn check_with_policy(cx: &Ctxt, input: &Input<'_>, positional: &Positional<'_>) {
    no_new_fields_inside_the_window(cx, input, positional);
    variants_only_appended_at_the_end(cx, input, positional);
}

/// Runs the positional rules that need only the item: serde's attributes that a
/// positional format cannot honour, and catch-alls, which no positional codec has.
pub(crate) fn check_item(cx: &Ctxt, input: &Input<'_>, codec: Codec) {
    if !codec.is_positional() {
        return;
    }
    no_catch_all_under_a_positional_codec(cx, input, codec);
    no_field_dropped_for_an_older_peer(cx, input, codec);
    if codec.through_serde() {
        no_field_left_out_when_sent(cx, input);
        no_flatten(cx, input);
        no_tagging_that_needs_a_self_describing_format(cx, input);
        no_skipped_variant_before_others(cx, input);
    }
}

/// A field (of a struct or of a variant) that arrived after a peer still inside the
/// window is a break under a positional codec: the older peer's `{a, b}` has no slot for
/// it, so whichever end lacks it reads the bytes after it into the wrong fields, or fails
/// ("unexpected end"). No default fills it in: nothing marks a field as missing. The fix
/// carries the new data somewhere an older peer is never sent: a new variant appended at
/// the end, or a new message. Reported at the field's `#[since]`.
fn no_new_fields_inside_the_window(cx: &Ctxt, input: &Input<'_>, positional: &Positional<'_>) {
    let Some(message) = input.since() else {
        return;
    };
    let ident = input.ident;
    match &input.data {
        Data::Struct(_, fields) => {
            let owner = format!("`{ident}`");
            new_fields(cx, fields, message, &owner, None, positional);
        }
        Data::Enum(variants) => {
            for variant in variants {
                let since = variant.arrival(Some(message)).unwrap_or(message);
                let owner = format!("variant `{ident}::{}`", variant.ident);
                new_fields(cx, &variant.fields, since, &owner, Some(ident), positional);
            }
        }
    }
}

/// [`no_new_fields_inside_the_window`] for the fields of one struct or variant (`owner`),
/// which shipped in `container`; `enum_name` when they are a variant's.
fn new_fields(
    cx: &Ctxt,
    fields: &[Field<'_>],
    container: &Version,
    owner: &str,
    enum_name: Option<&syn::Ident>,
    positional: &Positional<'_>,
) {
    for field in fields {
        let Some(since) = &field.attrs.since else {
            continue;
        };
        if field.attrs.malformed || since.version <= *container {
            continue;
        }
        let Some(peer) = positional.peer_before(&since.version, container, owner) else {
            continue;
        };
        let elsewhere = match enum_name {
            Some(name) => format!(
                "carry the new data in a new variant appended at the end of `{name}` with \
                 #[since(\"{}\")] (the send guard keeps it from peers that predate it), or in a \
                 new message",
                since.version
            ),
            None => format!(
                "carry the new data in a new message (or a new struct sent in a new variant \
                 appended at the end of the enum that carries {owner}, with #[since(\"{}\")]), \
                 and keep {owner} as {container} shipped it",
                since.version
            ),
        };
        cx.error_spanned_by(
            &since.lit,
            format!(
                "{} of {owner} arrived in {}, but {owner} shipped in {container} without it and {peer}; \
                 under {}, field order is the wire and names never travel, so a peer without the \
                 field reads the bytes after it into the wrong fields, and no default helps \
                 (`Option<_>` and `#[serde(default)]` change the bytes, they do not make the field \
                 optional); {elsewhere}; renaming a field is free",
                field.describe(),
                since.version,
                positional.codec(),
            ),
        );
    }
}

/// A variant declared before an older one was inserted mid-enum: under a positional codec
/// a variant travels as its index, so every older variant after it moved up by one and a
/// peer inside the window that predates it decodes them as other variants. Variants go at
/// the end. A later variant whose index is written (`= N`, under a codec that writes
/// discriminants: borsh's `use_discriminant`) does not move, and is not counted.
fn variants_only_appended_at_the_end(cx: &Ctxt, input: &Input<'_>, positional: &Positional<'_>) {
    let (Data::Enum(variants), Some(message)) = (&input.data, input.since()) else {
        return;
    };
    let by_discriminant = input.by_discriminant(positional.codec);
    for (place, variant) in variants.iter().enumerate() {
        let since = variant.arrival(Some(message)).unwrap_or(message);
        let moved: Vec<&Variant<'_>> = variants[place + 1..]
            .iter()
            .filter(|later| later.arrival(Some(message)).unwrap_or(message) < since)
            .filter(|later| !(by_discriminant && later.explicit))
            .collect();
        let Some(first) = moved.first() else {
            continue;
        };
        let what = format!("`{}`", input.ident);
        let Some(peer) = positional.peer_before(since, message, &what) else {
            continue;
        };
        let names: Vec<String> = moved
            .iter()
            .map(|later| {
                format!(
                    "`{}` (since {})",
                    later.ident,
                    later.arrival(Some(message)).unwrap_or(message)
                )
            })
            .collect();
        let ident = variant.ident;
        cx.error_spanned_by(
            ident,
            format!(
                "{} arrived in {since} but is declared before {}: under {}, a variant \
                 travels as its index, so inserting `{ident}` moved every later variant up by one \
                 and {peer}, which decodes `{}` as another variant or fails (\"invalid variant \
                 index\"); move `{ident}` to the end of `{}`",
                variant.describe(),
                names.join(", "),
                positional.codec(),
                first.ident,
                input.ident,
            ),
        );
    }
}

/// No catch-all exists under a positional codec: an unknown index is a fatal decode error,
/// and even where a decoder maps an unknown index somewhere (serde's `#[serde(other)]`
/// under bincode 1), it cannot skip the unknown variant's data, whose length nothing
/// records, and reads it as the next value. The send guard keeps new variants from peers
/// that predate them instead. `#[serde(other)]` under a native codec is serde's business,
/// and silent.
fn no_catch_all_under_a_positional_codec(cx: &Ctxt, input: &Input<'_>, codec: Codec) {
    let Data::Enum(variants) = &input.data else {
        return;
    };
    for variant in variants {
        let marker = match (&variant.attrs.compat_other, &variant.attrs.serde_other) {
            (Some(compat), _) => compat,
            (None, Some(serde)) if codec.through_serde() => serde,
            _ => continue,
        };
        let word = if variant.attrs.compat_other.is_some() {
            "#[compat(other)]"
        } else {
            "#[serde(other)]"
        };
        cx.error_spanned_by(
            marker,
            format!(
                "`{}` cannot be a catch-all under {}: a positional codec records no variant's \
                 length, so an unknown variant cannot be skipped (it is a fatal decode error, or its \
                 data is read as the next value); remove {word}: the send guard keeps a variant from \
                 peers that predate its #[since], and a new variant goes at the end of `{}`",
                variant.ident,
                codec.described(),
                input.ident,
            ),
        );
    }
}

/// A positional format writes every field in order: `skip_serializing_if` (or
/// `skip_serializing`) leaves the field out of the bytes while the receiver still reads a
/// value in its place, so it reads the next field's bytes instead. serde-positional only.
fn no_field_left_out_when_sent(cx: &Ctxt, input: &Input<'_>) {
    for field in input.fields() {
        let (at, key): (&dyn quote::ToTokens, &str) = match &field.attrs.skip_serializing {
            SkipSerializing::Never => continue,
            SkipSerializing::If(lit) => (lit, "skip_serializing_if"),
            SkipSerializing::Always(path) => (path, "skip_serializing"),
        };
        cx.error_spanned_by(
            at,
            format!(
                "#[serde({key})] leaves {} out of the bytes, but under {} the receiver reads every \
                 field in order, so it reads the next field's bytes in its place; remove `{key}`: a \
                 positional format always writes the field",
                field.describe(),
                Codec::SerdePositional.described(),
            ),
        );
    }
}

/// serde writes a `#[serde(flatten)]` field as entries of a map of unknown length, which
/// bincode and postcard refuse to write ("SequenceMustHaveLength") and no positional
/// reader can decode. serde-positional only.
fn no_flatten(cx: &Ctxt, input: &Input<'_>) {
    for field in input.fields() {
        if let Some(key) = &field.attrs.flatten {
            cx.error_spanned_by(
                key,
                format!(
                    "#[serde(flatten)] makes serde write {} as entries of a map of unknown length, \
                     which {} cannot carry (bincode and postcard refuse it: \"SequenceMustHaveLength\"); \
                     remove `flatten` and send the inner type as an ordinary field",
                    field.describe(),
                    Codec::SerdePositional.described(),
                ),
            );
        }
    }
}

/// An internally tagged or untagged enum is decoded by looking at the input first
/// (`deserialize_any`), which a positional format cannot answer ("does not support
/// deserialize_any"): only serde's default (external) tagging, or adjacent tagging, reads.
/// serde-positional only.
fn no_tagging_that_needs_a_self_describing_format(cx: &Ctxt, input: &Input<'_>) {
    let (written, why) = match &input.attrs.tagging {
        Tagging::Internal(tag) => (format!("#[serde(tag = \"{tag}\")]"), "an internally tagged"),
        Tagging::Untagged => ("#[serde(untagged)]".to_owned(), "an untagged"),
        Tagging::External | Tagging::Adjacent(..) => return,
    };
    cx.error_spanned_by(
        input.ident,
        format!(
            "`{}` has {written}, but serde decodes {why} enum by looking at the input first \
             (`deserialize_any`), which {} cannot answer (bincode: \"does not support \
             deserialize_any\"); remove it: serde's default tagging writes each variant as its \
             index",
            input.ident,
            Codec::SerdePositional.described(),
        ),
    );
}

/// `#[compat(ignorable)]` lets a sender drop a field for a peer too old to know it, but
/// under a positional codec a field is never dropped from the bytes: reset to its default,
/// it is still written at its position, where the older peer reads something else.
fn no_field_dropped_for_an_older_peer(cx: &Ctxt, input: &Input<'_>, codec: Codec) {
    for field in input.fields() {
        if field.attrs.ignorable {
            cx.error_spanned_by(
                &field.at,
                format!(
                    "{} cannot be dropped for an older peer under {}: a positional codec writes \
                     every field at its position, reset or not, and the peer reads the bytes there \
                     as whatever it recorded; remove `ignorable`, and carry data an older peer must \
                     not see in a new variant appended at the end with its #[since]",
                    field.describe(),
                    codec.described(),
                ),
            );
        }
    }
}

/// serde writes a variant's index counting the `#[serde(skip)]` variants declared before
/// it, and reads an index counting only the variants it decodes: after a skipped variant,
/// a peer of the very same release decodes every variant as the next one. serde-positional
/// only; reported at the first variant after the skipped one.
fn no_skipped_variant_before_others(cx: &Ctxt, input: &Input<'_>) {
    let Data::Enum(variants) = &input.data else {
        return;
    };
    let Some((read, variant)) = variants
        .iter()
        .enumerate()
        .find(|(read, variant)| u32::try_from(*read).is_ok_and(|read| read != variant.position))
    else {
        return;
    };
    cx.error_spanned_by(
        variant.ident,
        format!(
            "a #[serde(skip)] variant is declared before `{}`: under {} serde writes `{}` as index \
             {}, counting the skipped variant, but reads it from index {read}, not counting it, so \
             even a peer of this release decodes it as another variant or fails; move the skipped \
             variants to the end of `{}`",
            variant.ident,
            Codec::SerdePositional.described(),
            variant.ident,
            variant.position,
            input.ident,
        ),
    );
}

#[cfg(test)]
mod tests {
    use crate::ast::{Data, Input};
    use crate::codec::Codec;
    use crate::ctxt::Ctxt;

    fn indexes(source: &str, codec: Codec) -> Vec<u32> {
        let node: syn::DeriveInput = syn::parse_str(source).unwrap();
        let cx = Ctxt::new();
        let input = Input::from_syn(&cx, &node).unwrap();
        let Data::Enum(variants) = &input.data else {
            panic!("an enum");
        };
        variants
            .iter()
            .map(|v| input.wire_index(v, codec))
            .collect()
    }

    #[test]
    fn each_codec_counts_indexes_its_own_way() {
        let level = "enum Level { Low = 0, Middle = 5, High = 1, Top }";
        assert_eq!(indexes(level, Codec::Bincode), [0, 1, 2, 3]);
        assert_eq!(indexes(level, Codec::Borsh), [0, 1, 2, 3]);
        let borsh = format!("#[borsh(use_discriminant = true)] {level}");
        assert_eq!(indexes(&borsh, Codec::Borsh), [0, 5, 1, 2]);
        // serde counts a skipped variant when it writes the ones after it.
        let skipped = "enum Command { Stop, #[serde(skip)] Internal, Drain }";
        assert_eq!(indexes(skipped, Codec::SerdePositional), [0, 2]);
    }
}
