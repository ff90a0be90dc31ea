//! Entity tags of answers: one digest for the conditional-GET layer and for the answers cached with their tag (the
//! KPIs), so both give equal bodies equal tags. No HTTP types here: services may tag what they cache.

use sha2::{Digest, Sha256};
use std::fmt::Write;

/// The strong tag of a body: `"` + the first 128 bits of its SHA-256 in hex + `"`. Equal bodies give equal tags in
/// every instance of the build, so a tag survives a restart or a load balancer switching instances.
pub fn strong_tag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let mut tag = String::with_capacity(34);
    tag.push('"');
    for byte in &digest[..16] {
        let _ = write!(tag, "{byte:02x}");
    }
    tag.push('"');
    tag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_differ_with_the_body_and_are_stable() {
        assert_eq!(strong_tag(b"a"), strong_tag(b"a"));
        assert_ne!(strong_tag(b"a"), strong_tag(b"b"));
        // SHA-256("abc") begins ba7816bf8f01cfea414140de5dae2223.
        assert_eq!(strong_tag(b"abc"), "\"ba7816bf8f01cfea414140de5dae2223\"");
    }
}
