//! The frames of this slice are mirrord's bytes: bincode 2's standard configuration, each
//! variant at mirrord's index, names never on the wire.

use std::path::PathBuf;

use mirrord_agent_protocol::codec::{ClientMessage, DaemonMessage};
use mirrord_agent_protocol::connection::{CONFIG, MAX_FRAME, RecvError, decode};
use mirrord_agent_protocol::dns::{AddressFamily, GetAddrInfoRequestV2, SockType};
use mirrord_agent_protocol::file::{FileRequest, ReadLinkFileRequest, StatFsRequestV2};

fn bytes(message: &ClientMessage) -> Vec<u8> {
    bincode::encode_to_vec(message, CONFIG).unwrap()
}

#[test]
fn requests_travel_at_mirrords_indexes() {
    let readlink = ClientMessage::FileRequest(FileRequest::ReadLink(ReadLinkFileRequest {
        path: PathBuf::from("/a"),
    }));
    // `FileRequest` is variant 5 of `ClientMessage`, `ReadLink` variant 15 of
    // `FileRequest`; a path is its length and its bytes.
    assert_eq!(bytes(&readlink), [5, 15, 2, b'/', b'a']);
    let statfs = ClientMessage::FileRequest(FileRequest::StatFsV2(StatFsRequestV2 {
        path: PathBuf::from("/"),
    }));
    assert_eq!(bytes(&statfs), [5, 24, 1, b'/']);
    let lookup = ClientMessage::GetAddrInfoRequestV2(GetAddrInfoRequestV2 {
        node: "db".into(),
        service_port: 0,
        family: AddressFamily::Both,
        socktype: SockType::Any,
        flags: 0,
        protocol: 0,
    });
    assert_eq!(bytes(&lookup), [13, 2, b'd', b'b', 0, 2, 2, 0, 0]);
    assert_eq!(bytes(&ClientMessage::Ping), [7]);
}

#[test]
fn an_unknown_variant_ends_the_stream_with_a_clear_error() {
    // What an agent before 1.15.0 makes of `GetAddrInfoRequestV2` if nothing guarded it: its
    // `ClientMessage` ends at variant 12. Here, variant 14 is past the end of ours.
    let err = decode::<ClientMessage>(&[14]).unwrap_err();
    assert!(matches!(err, RecvError::Decode(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("under bincode the stream cannot go on"),
        "{err}"
    );
}

#[test]
fn a_hostile_length_inside_a_frame_allocates_nothing() {
    // `DaemonMessage::Close(String)` claiming a string of 2^40 bytes in a 10-byte frame.
    let mut frame = vec![0u8, 253];
    frame.extend_from_slice(&(1u64 << 40).to_le_bytes());
    let err = decode::<DaemonMessage>(&frame).unwrap_err();
    assert!(matches!(err, RecvError::Decode(_)), "{err:?}");
    const { assert!(MAX_FRAME < 1 << 40) };
}

#[test]
fn trailing_bytes_in_a_frame_are_refused() {
    let err = decode::<ClientMessage>(&[7, 7]).unwrap_err();
    assert_eq!(err.to_string(), "a frame held 1 bytes after its message");
}
