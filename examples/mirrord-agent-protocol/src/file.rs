//! File operations the layer forwards to the agent (mirrord-protocol's `file.rs`):
//! [`FileRequest`] and [`FileResponse`], with the requests and responses they carry.
//!
//! Each request variant sits at mirrord's index, so a frame of this slice is the bytes
//! mirrord writes. The gates of `file.rs` are features of `compat.toml`: `readlink`
//! (1.6.0), `readdir-batch` (1.9.0), `mkdir` (1.13.0), `rmdir` (1.14.0: `RemoveDir`,
//! `Unlink` and `UnlinkAt`), `statfs` (1.16.0), `statfs-v2` (1.18.0: `XstatFsV2` and
//! `StatFsV2`, which fall back to `XstatFs` and `StatFs`), `rename` (1.21.0) and
//! `copyfile` (1.24.0).

use std::path::PathBuf;

use bincode::{Decode, Encode};
use compat_runtime::Compat;

use crate::error::RemoteResult;

/// A request of the file system the layer intercepted, run by the agent in the target's
/// mount namespace.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum FileRequest {
    /// `open`.
    Open(OpenFileRequest),
    /// `openat` relative to a directory the agent opened.
    OpenRelative(OpenRelativeFileRequest),
    /// `read`.
    Read(ReadFileRequest),
    /// `pread`.
    ReadLimited(ReadLimitedFileRequest),
    /// `lseek`.
    Seek(SeekFileRequest),
    /// `write`.
    Write(WriteFileRequest),
    /// `pwrite`.
    WriteLimited(WriteLimitedFileRequest),
    /// `close`.
    Close(CloseFileRequest),
    /// `access`.
    Access(AccessFileRequest),
    /// `stat` and friends.
    Xstat(XstatRequest),
    /// `fstatfs`.
    XstatFs(XstatFsRequest),
    /// `fdopendir`.
    FdOpenDir(FdOpenDirRequest),
    /// `readdir`.
    ReadDir(ReadDirRequest),
    /// `closedir`.
    CloseDir(CloseDirRequest),
    /// `getdents64`.
    GetDEnts64(GetDEnts64Request),
    /// `readlink` (mirrord's `READLINK_VERSION`): an older agent cannot read it, and
    /// nothing older does its work, so the layer refuses it locally.
    #[compat(feature = "readlink")]
    #[since("1.6.0")]
    ReadLink(ReadLinkFileRequest),
    /// `readdir` in batches (`READDIR_BATCH_VERSION`).
    #[compat(feature = "readdir-batch")]
    #[since("1.9.0")]
    ReadDirBatch(ReadDirBatchRequest),
    /// `mkdir` (`MKDIR_VERSION`).
    #[compat(feature = "mkdir")]
    #[since("1.13.0")]
    MakeDir(MakeDirRequest),
    /// `mkdirat` (`MKDIR_VERSION`).
    #[compat(feature = "mkdir")]
    #[since("1.13.0")]
    MakeDirAt(MakeDirAtRequest),
    /// `rmdir` (`RMDIR_VERSION`, one gate for three variants).
    #[compat(feature = "rmdir")]
    #[since("1.14.0")]
    RemoveDir(RemoveDirRequest),
    /// `unlink` (`RMDIR_VERSION`).
    #[compat(feature = "rmdir")]
    #[since("1.14.0")]
    Unlink(UnlinkRequest),
    /// `unlinkat` (`RMDIR_VERSION`).
    #[compat(feature = "rmdir")]
    #[since("1.14.0")]
    UnlinkAt(UnlinkAtRequest),
    /// `statfs` (`STATFS_VERSION`).
    #[compat(feature = "statfs")]
    #[since("1.16.0")]
    StatFs(StatFsRequest),
    /// `fstatfs` answered with the V2 response (`STATFS_V2_VERSION`); an older agent gets
    /// `XstatFs`.
    #[compat(feature = "statfs-v2")]
    #[since("1.18.0")]
    #[compat(fallback = "XstatFs", via = "crate::file::xstatfs_v1")]
    XstatFsV2(XstatFsRequestV2),
    /// `statfs` answered with the V2 response (`STATFS_V2_VERSION`); an older agent gets
    /// `StatFs`.
    #[compat(feature = "statfs-v2")]
    #[since("1.18.0")]
    #[compat(fallback = "StatFs", via = "crate::file::statfs_v1")]
    StatFsV2(StatFsRequestV2),
    /// `rename` (`RENAME_VERSION`).
    #[compat(feature = "rename")]
    #[since("1.21.0")]
    Rename(RenameRequest),
    /// `ftruncate` (`COPYFILE_VERSION`, one gate for four variants).
    #[compat(feature = "copyfile")]
    #[since("1.24.0")]
    Ftruncate(FtruncateRequest),
    /// `futimens` (`COPYFILE_VERSION`).
    #[compat(feature = "copyfile")]
    #[since("1.24.0")]
    Futimens(FutimensRequest),
    /// `fchown` (`COPYFILE_VERSION`).
    #[compat(feature = "copyfile")]
    #[since("1.24.0")]
    Fchown(FchownRequest),
    /// `fchmod` (`COPYFILE_VERSION`).
    #[compat(feature = "copyfile")]
    #[since("1.24.0")]
    Fchmod(FchmodRequest),
}

/// The agent's answer to a [`FileRequest`]. mirrord answers `StatFs` with `XstatFs` and
/// `StatFsV2` with `XstatFsV2`, `MakeDirAt` with `MakeDir`, and `UnlinkAt` with `Unlink`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub enum FileResponse {
    /// To `Open` and `OpenRelative`.
    Open(RemoteResult<OpenFileResponse>),
    /// To `Read`.
    Read(RemoteResult<ReadFileResponse>),
    /// To `ReadLimited`.
    ReadLimited(RemoteResult<ReadFileResponse>),
    /// To `Write`.
    Write(RemoteResult<WriteFileResponse>),
    /// To `WriteLimited`.
    WriteLimited(RemoteResult<WriteFileResponse>),
    /// To `Seek`.
    Seek(RemoteResult<SeekFileResponse>),
    /// To `Access`.
    Access(RemoteResult<AccessFileResponse>),
    /// To `Xstat`.
    Xstat(RemoteResult<XstatResponse>),
    /// To `XstatFs` and `StatFs`.
    XstatFs(RemoteResult<XstatFsResponse>),
    /// To `ReadDir`.
    ReadDir(RemoteResult<ReadDirResponse>),
    /// To `FdOpenDir`.
    OpenDir(RemoteResult<OpenDirResponse>),
    /// To `GetDEnts64`.
    GetDEnts64(RemoteResult<GetDEnts64Response>),
    /// To `ReadLink`.
    #[compat(feature = "readlink")]
    #[since("1.6.0")]
    ReadLink(RemoteResult<ReadLinkFileResponse>),
    /// To `ReadDirBatch`.
    #[compat(feature = "readdir-batch")]
    #[since("1.9.0")]
    ReadDirBatch(RemoteResult<ReadDirBatchResponse>),
    /// To `MakeDir` and `MakeDirAt`.
    #[compat(feature = "mkdir")]
    #[since("1.13.0")]
    MakeDir(RemoteResult<()>),
    /// To `RemoveDir`.
    #[compat(feature = "rmdir")]
    #[since("1.14.0")]
    RemoveDir(RemoteResult<()>),
    /// To `Unlink` and `UnlinkAt`.
    #[compat(feature = "rmdir")]
    #[since("1.14.0")]
    Unlink(RemoteResult<()>),
    /// To `XstatFsV2` and `StatFsV2`.
    #[compat(feature = "statfs-v2")]
    #[since("1.18.0")]
    XstatFsV2(RemoteResult<XstatFsResponseV2>),
    /// To `Rename`.
    #[compat(feature = "rename")]
    #[since("1.21.0")]
    Rename(RemoteResult<()>),
    /// To `Ftruncate`.
    #[compat(feature = "copyfile")]
    #[since("1.24.0")]
    Ftruncate(RemoteResult<()>),
    /// To `Futimens`.
    #[compat(feature = "copyfile")]
    #[since("1.24.0")]
    Futimens(RemoteResult<()>),
    /// To `Fchown`.
    #[compat(feature = "copyfile")]
    #[since("1.24.0")]
    Fchown(RemoteResult<()>),
    /// To `Fchmod`.
    #[compat(feature = "copyfile")]
    #[since("1.24.0")]
    Fchmod(RemoteResult<()>),
}

/// `open`'s path and flags.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct OpenFileRequest {
    /// The path, in the target's file system.
    pub path: PathBuf,
    /// `open`'s flags.
    pub open_options: OpenOptionsInternal,
}

/// `openat`'s directory, path and flags.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct OpenRelativeFileRequest {
    /// The directory the path is relative to, as the agent numbers it.
    pub relative_fd: u64,
    /// The path, in the target's file system.
    pub path: PathBuf,
    /// `open`'s flags.
    pub open_options: OpenOptionsInternal,
}

/// `read`: how much, from where the file's cursor is.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct ReadFileRequest {
    /// The descriptor, as the agent numbers it.
    pub remote_fd: u64,
    /// How many bytes to read at most.
    pub buffer_size: u64,
}

/// `pread`: how much, from where.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct ReadLimitedFileRequest {
    /// The descriptor, as the agent numbers it.
    pub remote_fd: u64,
    /// How many bytes to read at most.
    pub buffer_size: u64,
    /// The offset to start at.
    pub start_from: u64,
}

/// `lseek`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct SeekFileRequest {
    /// The descriptor, as the agent numbers it.
    pub fd: u64,
    /// Where to move from.
    pub seek_from: SeekFromInternal,
}

/// `write`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct WriteFileRequest {
    /// The descriptor, as the agent numbers it.
    pub fd: u64,
    /// The bytes to write.
    pub write_bytes: Vec<u8>,
}

/// `pwrite`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct WriteLimitedFileRequest {
    /// The descriptor, as the agent numbers it.
    pub remote_fd: u64,
    /// The offset to start at.
    pub start_from: u64,
    /// The bytes to write.
    pub write_bytes: Vec<u8>,
}

/// `close`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct CloseFileRequest {
    /// The descriptor, as the agent numbers it.
    pub fd: u64,
}

/// `access`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct AccessFileRequest {
    /// The path, in the target's file system.
    pub pathname: PathBuf,
    /// The mode bits (`mode_t`).
    pub mode: u8,
}

/// `stat` of a path or of a descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct XstatRequest {
    /// The path, in the target's file system.
    pub path: Option<PathBuf>,
    /// The descriptor, as the agent numbers it.
    pub fd: Option<u64>,
    /// Whether to follow a final symbolic link (`stat`, not `lstat`).
    pub follow_symlink: bool,
}

/// `fstatfs`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct XstatFsRequest {
    /// The descriptor, as the agent numbers it.
    pub fd: u64,
}

/// `fdopendir`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct FdOpenDirRequest {
    /// The descriptor, as the agent numbers it.
    pub remote_fd: u64,
}

/// `readdir`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct ReadDirRequest {
    /// The descriptor, as the agent numbers it.
    pub remote_fd: u64,
}

/// `closedir`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct CloseDirRequest {
    /// The descriptor, as the agent numbers it.
    pub remote_fd: u64,
}

/// `getdents64`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct GetDEnts64Request {
    /// The descriptor, as the agent numbers it.
    pub remote_fd: u64,
    /// How many bytes to read at most.
    pub buffer_size: u64,
}

/// The symbolic link to resolve.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.6.0")]
pub struct ReadLinkFileRequest {
    /// The path, in the target's file system.
    pub path: PathBuf,
}

/// `readdir`, `amount` entries at a time.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.9.0")]
pub struct ReadDirBatchRequest {
    /// The descriptor, as the agent numbers it.
    pub remote_fd: u64,
    /// How many entries at most.
    pub amount: usize,
}

/// `mkdir`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.13.0")]
pub struct MakeDirRequest {
    /// The path, in the target's file system.
    pub pathname: PathBuf,
    /// The mode bits (`mode_t`).
    pub mode: u32,
}

/// `mkdirat`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.13.0")]
pub struct MakeDirAtRequest {
    /// The directory the path is relative to, as the agent numbers it.
    pub dirfd: u64,
    /// The path, in the target's file system.
    pub pathname: PathBuf,
    /// The mode bits (`mode_t`).
    pub mode: u32,
}

/// `rmdir`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.14.0")]
pub struct RemoveDirRequest {
    /// The path, in the target's file system.
    pub pathname: PathBuf,
}

/// `unlink`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.14.0")]
pub struct UnlinkRequest {
    /// The path, in the target's file system.
    pub pathname: PathBuf,
}

/// `unlinkat`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.14.0")]
pub struct UnlinkAtRequest {
    /// The directory the path is relative to, as the agent numbers it.
    pub dirfd: Option<u64>,
    /// The path, in the target's file system.
    pub pathname: PathBuf,
    /// The call's flags, in Linux's values.
    pub flags: u32,
}

/// `statfs`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.16.0")]
pub struct StatFsRequest {
    /// The path, in the target's file system.
    pub path: PathBuf,
}

/// `fstatfs`, answered with [`XstatFsResponseV2`].
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.18.0")]
pub struct XstatFsRequestV2 {
    /// The descriptor, as the agent numbers it.
    pub fd: u64,
}

/// `statfs`, answered with [`XstatFsResponseV2`].
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.18.0")]
pub struct StatFsRequestV2 {
    /// The path, in the target's file system.
    pub path: PathBuf,
}

/// `rename`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.21.0")]
pub struct RenameRequest {
    /// The path to rename.
    pub old_path: PathBuf,
    /// Its new path.
    pub new_path: PathBuf,
}

/// `ftruncate`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.24.0")]
pub struct FtruncateRequest {
    /// The descriptor, as the agent numbers it.
    pub fd: u64,
    /// The new length.
    pub length: i64,
}

/// `futimens`: access and modification times, or now.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.24.0")]
pub struct FutimensRequest {
    /// The descriptor, as the agent numbers it.
    pub fd: u64,
    /// Access and modification times, or `None` for now.
    pub times: Option<[Timespec; 2]>,
}

/// A time in seconds and nanoseconds.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.24.0")]
pub struct Timespec {
    /// Seconds.
    pub tv_sec: i64,
    /// Nanoseconds.
    pub tv_nsec: i64,
}

/// `fchown`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.24.0")]
pub struct FchownRequest {
    /// The descriptor, as the agent numbers it.
    pub fd: u64,
    /// The new owner (`uid_t`).
    pub owner: u32,
    /// The new group (`gid_t`).
    pub group: u32,
}

/// `fchmod`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.24.0")]
pub struct FchmodRequest {
    /// The descriptor, as the agent numbers it.
    pub fd: u64,
    /// The mode bits (`mode_t`).
    pub mode: u32,
}

/// `open`'s flags.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub struct OpenOptionsInternal {
    /// `O_RDONLY` or `O_RDWR`.
    pub read: bool,
    /// `O_WRONLY` or `O_RDWR`.
    pub write: bool,
    /// `O_APPEND`.
    pub append: bool,
    /// `O_TRUNC`.
    pub truncate: bool,
    /// `O_CREAT`.
    pub create: bool,
    /// `O_CREAT | O_EXCL`.
    pub create_new: bool,
}

/// The descriptor the agent opened.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct OpenFileResponse {
    /// The descriptor, as the agent numbers it.
    pub fd: u64,
}

/// What was read.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct ReadFileResponse {
    /// The bytes read.
    pub bytes: Vec<u8>,
    /// How many.
    pub read_amount: u64,
}

/// How much was written.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct WriteFileResponse {
    /// How many bytes were written.
    pub written_amount: u64,
}

/// Where the cursor is now.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct SeekFileResponse {
    /// The new offset.
    pub result_offset: u64,
}

/// `stat`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct XstatResponse {
    /// The answer.
    pub metadata: MetadataInternal,
}

/// `statfs`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct XstatFsResponse {
    /// The answer.
    pub metadata: FsMetadataInternal,
}

/// `statfs`'s answer with every field of `struct statfs` (V2).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.18.0")]
pub struct XstatFsResponseV2 {
    /// The answer.
    pub metadata: FsMetadataInternalV2,
}

/// The directory the agent opened.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct OpenDirResponse {
    /// The descriptor, as the agent numbers it.
    pub fd: u64,
}

/// The next entry, if any.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct ReadDirResponse {
    /// The entry, or `None` at the end.
    pub direntry: Option<DirEntryInternal>,
}

/// The next entries.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.9.0")]
pub struct ReadDirBatchResponse {
    /// The descriptor, as the agent numbers it.
    pub fd: u64,
    /// The entries, none at the end.
    pub dir_entries: Vec<DirEntryInternal>,
}

/// `getdents64`'s entries.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct GetDEnts64Response {
    /// The descriptor, as the agent numbers it.
    pub fd: u64,
    /// The entries.
    pub entries: Vec<DirEntryInternal>,
    /// The bytes they take, as `getdents64` counts them.
    pub result_size: u64,
}

/// The link's target.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.6.0")]
pub struct ReadLinkFileResponse {
    /// The path, in the target's file system.
    pub path: PathBuf,
}

/// A directory entry.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct DirEntryInternal {
    /// `d_ino` or `st_ino`.
    pub inode: u64,
    /// `d_off`.
    pub position: u64,
    /// `d_name`.
    pub name: String,
    /// `d_type`.
    pub file_type: u8,
}

/// `struct stat`, the fields every platform has.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct MetadataInternal {
    /// `st_dev`.
    pub device_id: u64,
    /// `d_ino` or `st_ino`.
    pub inode: u64,
    /// `st_mode`: the file's type and mode bits.
    pub mode: u32,
    /// `st_nlink`.
    pub hard_links: u64,
    /// `st_uid`.
    pub user_id: u32,
    /// `st_gid`.
    pub group_id: u32,
    /// `st_rdev` (a special file's device).
    pub rdevice_id: u64,
    /// `st_size`.
    pub size: u64,
    /// `st_atime`, in nanoseconds.
    pub access_time: i64,
    /// `st_mtime`, in nanoseconds.
    pub modification_time: i64,
    /// `st_ctime`, in nanoseconds.
    pub creation_time: i64,
    /// `st_blksize` or `f_bsize`.
    pub block_size: u64,
    /// `st_blocks` or `f_blocks`.
    pub blocks: u64,
}

/// `struct statfs`, as the first `statfs` answered it.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct FsMetadataInternal {
    /// `f_type`.
    pub filesystem_type: i64,
    /// `st_blksize` or `f_bsize`.
    pub block_size: i64,
    /// `st_blocks` or `f_blocks`.
    pub blocks: u64,
    /// `f_bfree`.
    pub blocks_free: u64,
    /// `f_bavail`.
    pub blocks_available: u64,
    /// `f_files`.
    pub files: u64,
    /// `f_ffree`.
    pub files_free: u64,
}

/// `struct statfs` with its id, name length, fragment size and flags (V2).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.18.0")]
pub struct FsMetadataInternalV2 {
    /// `f_type`.
    pub filesystem_type: i64,
    /// `st_blksize` or `f_bsize`.
    pub block_size: i64,
    /// `st_blocks` or `f_blocks`.
    pub blocks: u64,
    /// `f_bfree`.
    pub blocks_free: u64,
    /// `f_bavail`.
    pub blocks_available: u64,
    /// `f_files`.
    pub files: u64,
    /// `f_ffree`.
    pub files_free: u64,
    /// `f_fsid`.
    pub filesystem_id: [i32; 2],
    /// `f_namelen`.
    pub name_len: i64,
    /// `f_frsize`.
    pub fragment_size: i64,
    /// `f_flags`: the mount flags.
    pub flags: i64,
}

/// `access` answers with nothing but success.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "agent", to = "layer")]
#[since("1.0.0")]
pub struct AccessFileResponse;

/// Where `lseek` moves from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Compat)]
#[compat(from = "layer", to = "agent")]
#[since("1.0.0")]
pub enum SeekFromInternal {
    /// From the start.
    Start(u64),
    /// From the end.
    End(i64),
    /// From the cursor.
    Current(i64),
}

/// The conversion mirrord runs when the agent predates `StatFsV2`: the same path, asked
/// with the older request.
///
/// ```
/// use mirrord_agent_protocol::file::{StatFsRequest, StatFsRequestV2, statfs_v1};
/// let v2 = StatFsRequestV2 { path: "/data".into() };
/// assert_eq!(statfs_v1(&v2), StatFsRequest { path: "/data".into() });
/// ```
pub fn statfs_v1(request: &StatFsRequestV2) -> StatFsRequest {
    StatFsRequest {
        path: request.path.clone(),
    }
}

/// The conversion mirrord runs when the agent predates `XstatFsV2`.
///
/// ```
/// use mirrord_agent_protocol::file::{XstatFsRequest, XstatFsRequestV2, xstatfs_v1};
/// assert_eq!(xstatfs_v1(&XstatFsRequestV2 { fd: 3 }), XstatFsRequest { fd: 3 });
/// ```
pub fn xstatfs_v1(request: &XstatFsRequestV2) -> XstatFsRequest {
    XstatFsRequest { fd: request.fd }
}

impl From<FsMetadataInternal> for FsMetadataInternalV2 {
    /// The V1 answer widened: the fields V1 lacks are zero, as mirrord's layer fills them.
    fn from(v1: FsMetadataInternal) -> Self {
        FsMetadataInternalV2 {
            filesystem_type: v1.filesystem_type,
            block_size: v1.block_size,
            blocks: v1.blocks,
            blocks_free: v1.blocks_free,
            blocks_available: v1.blocks_available,
            files: v1.files,
            files_free: v1.files_free,
            filesystem_id: [0, 0],
            name_len: 0,
            fragment_size: 0,
            flags: 0,
        }
    }
}
