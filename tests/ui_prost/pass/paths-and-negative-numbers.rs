// Forms prost-build writes that the derive reads off the tokens: a negative enum value, an
// enumeration and a oneof named by a path (the types live in other modules), and a field
// named with a raw identifier.
use compat_runtime::ProstCompat;
use compat_runtime::proto::{Proto, ProtoType};

pub mod levels {
    use compat_runtime::ProstCompat;

    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::prost::Enumeration, ProstCompat)]
    #[compat(proto = "spire.Level", routes = ["agent > server"])]
    /// @since 0.8.0
    #[repr(i32)]
    pub enum Level {
        Unspecified = 0,
        Below = -1,
        Above = 2,
    }
}

#[derive(Clone, PartialEq, ::prost::Message, ProstCompat)]
#[compat(proto = "spire.Probe", routes = ["agent > server"])]
/// @since 0.8.0
pub struct Probe {
    #[prost(enumeration = "levels::Level", tag = "1")]
    pub level: i32,
    #[prost(string, tag = "2")]
    pub r#type: ::prost::alloc::string::String,
    #[prost(oneof = "probe::Target", tags = "3, 4")]
    pub target: ::core::option::Option<probe::Target>,
}

pub mod probe {
    #[derive(Clone, PartialEq, ::prost::Oneof, ::compat_runtime::ProstCompat)]
    #[compat(proto = "spire.Probe.target")]
    pub enum Target {
        #[prost(string, tag = "3")]
        Host(::prost::alloc::string::String),
        #[prost(uint32, tag = "4")]
        Port(u32),
    }
}

fn main() {
    let below = levels::Level::PROTO.value(-1).unwrap();
    assert_eq!((below.name, below.number), ("Below", -1));
    let level = Probe::PROTO.field(1).unwrap();
    assert!(matches!(level.ty, ProtoType::Enum(_)));
    assert_eq!(level.ty.name(), "spire.Level");
    assert_eq!(Probe::PROTO.field(2).unwrap().name, "type");
    let target = Probe::PROTO.fields.iter().find(|f| f.name == "target").unwrap();
    assert!(matches!(target.ty, ProtoType::Oneof(_)));
    assert_eq!(target.ty.name(), "spire.Probe.target");
}
