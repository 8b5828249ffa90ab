package io.jcontainerd.snapshot.apply;

import io.jcontainerd.snapshot.linux.Syscalls;

import java.util.List;

/** Passes every call on; tests override the one they want to change. */
class DelegatingSyscalls implements Syscalls {
    private final Syscalls d;

    DelegatingSyscalls(Syscalls d) {
        this.d = d;
    }

    @Override public void mount(String source, String target, String fsType, long flags, String data) { d.mount(source, target, fsType, flags, data); }
    @Override public void umount(String target, int flags) { d.umount(target, flags); }
    @Override public void mknod(String path, int mode, long device) { d.mknod(path, mode, device); }
    @Override public void lchown(String path, int uid, int gid) { d.lchown(path, uid, gid); }
    @Override public void chmod(String path, int mode) { d.chmod(path, mode); }
    @Override public void utimesNoFollow(String path, long as, long an, long ms, long mn) { d.utimesNoFollow(path, as, an, ms, mn); }
    @Override public void lsetxattr(String path, String name, byte[] value) { d.lsetxattr(path, name, value); }
    @Override public List<String> llistxattr(String path) { return d.llistxattr(path); }
    @Override public byte[] lgetxattr(String path, String name) { return d.lgetxattr(path, name); }
    @Override public long[] blocksAndInode(String path) { return d.blocksAndInode(path); }
    @Override public int effectiveUid() { return d.effectiveUid(); }
    @Override public int openDirectoryPath(String path) { return d.openDirectoryPath(path); }
    @Override public void close(int fd) { d.close(fd); }
    @Override public int openat2(int dirFd, String path, int flags, long resolve) { return d.openat2(dirFd, path, flags, resolve); }
}
