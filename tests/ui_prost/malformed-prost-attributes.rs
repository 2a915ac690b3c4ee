// Hand-written `#[prost(...)]` attributes the derive cannot read: each error lands on the
// token that is wrong. (No `::prost::Message` here, so that only compat's errors show.)
use compat_runtime::ProstCompat;

#[derive(ProstCompat)]
#[compat(proto = "spire.Broken", routes = ["agent > server"])]
/// @since 0.8.0
pub struct Broken {
    #[prost(string tag = "1")]
    pub missing_comma: String,
    #[prost(string, tag = )]
    pub missing_value: String,
    #[prost(string, tag = 1)]
    pub number_not_string: String,
    #[prost(string, "1")]
    pub literal_key: String,
    #[prost]
    pub no_arguments: String,
    #[prost = "string"]
    pub name_value: String,
    #[prost(enumeration = "a::", tag = "2")]
    pub bad_path: i32,
    #[prost(oneof = "Option<", tags = "3")]
    pub bad_oneof: Option<u32>,
}

#[derive(ProstCompat)]
#[compat(proto = "spire.Numbers", routes = ["agent > server"])]
/// @since 0.8.0
#[repr(i32)]
pub enum Numbers {
    Zero = 0,
    Computed = 1 + 1,
    Named = i32::MAX,
}

fn main() {}
