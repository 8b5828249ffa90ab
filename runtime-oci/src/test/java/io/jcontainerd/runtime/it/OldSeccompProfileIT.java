package io.jcontainerd.runtime.it;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A seccomp profile written before Linux 5.9 (default action an errno, close_range not listed) with
 * noNewPrivileges false: the filter goes on before the credentials change, so everything the runtime does
 * after it must get by with what such a profile allows. runc 1.1.5 starts it; so must jrunc.
 */
class OldSeccompProfileIT {
    /** Docker's default allow-list as of 19.03 (before close_range, clone3, faccessat2 existed). */
    static final String ALLOWED = """
            accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown clock_adjtime clock_getres
            clock_gettime clock_nanosleep close connect copy_file_range creat dup dup2 dup3 epoll_create epoll_create1
            epoll_ctl epoll_pwait epoll_wait eventfd eventfd2 execve execveat exit exit_group faccessat fadvise64
            fallocate fanotify_mark fchdir fchmod fchmodat fchown fchownat fcntl fdatasync fgetxattr flistxattr flock fork
            fremovexattr fsetxattr fstat fstatfs fsync ftruncate futex futimesat getcpu getcwd getdents getdents64 getegid
            geteuid getgid getgroups getitimer getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid
            getresuid getrlimit get_robust_list getrusage getsid getsockname getsockopt gettid gettimeofday getuid
            getxattr inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy io_getevents
            ioprio_get ioprio_set io_setup io_submit kill lchown lgetxattr link linkat listen listxattr llistxattr
            lremovexattr lseek lsetxattr lstat madvise memfd_create mincore mkdir mkdirat mknod mknodat mlock mlock2 mlockall
            mmap mprotect mremap msgctl msgget msgrcv msgsnd msync munlock munlockall munmap nanosleep newfstatat open
            openat pause pipe pipe2 poll ppoll prctl pread64 preadv prlimit64 pselect6 pwrite64 pwritev read readahead
            readlink readlinkat readv recvfrom recvmmsg recvmsg remap_file_pages removexattr rename renameat renameat2
            restart_syscall rmdir rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend
            rt_sigtimedwait rt_tgsigqueueinfo sched_getaffinity sched_getattr sched_getparam sched_get_priority_max
            sched_get_priority_min sched_getscheduler sched_rr_get_interval sched_setaffinity sched_setattr
            sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop sendfile sendmmsg
            sendmsg sendto setfsgid setfsuid setgid setgroups setitimer setpgid setpriority setregid setresgid setresuid
            setreuid setrlimit set_robust_list setsid setsockopt set_tid_address setuid setxattr shmat shmctl shmdt shmget
            shutdown sigaltstack signalfd signalfd4 socket socketpair splice stat statfs statx symlink symlinkat sync
            sync_file_range syncfs sysinfo tee tgkill time timer_create timer_delete timerfd_create timerfd_gettime
            timerfd_settime timer_getoverrun timer_gettime timer_settime times tkill truncate umask uname unlink unlinkat
            utime utimensat utimes vfork vmsplice wait4 waitid write writev arch_prctl clone rseq
            """;
    TwoRuntimes runtimes;

    @BeforeEach
    void setUp() throws Exception {
        runtimes = new TwoRuntimes();
        ObjectNode seccomp = runtimes.bundle.linux().putObject("seccomp");
        seccomp.put("defaultAction", "SCMP_ACT_ERRNO");
        seccomp.putArray("architectures").add("SCMP_ARCH_X86_64");
        ArrayNode rules = seccomp.putArray("syscalls");
        ArrayNode names = rules.addObject().put("action", "SCMP_ACT_ALLOW").putArray("names");
        for (String n : ALLOWED.trim().split("\\s+")) names.add(n);
        runtimes.bundle.process().put("noNewPrivileges", false);
        runtimes.bundle.args("sh", "-c", "echo started; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status");
    }

    @AfterEach
    void tearDown() throws Exception {
        runtimes.close();
    }

    @Test
    void aPre59ProfileWithoutCloseRangeStartsUnderRuncAndJrunc() throws Exception {
        String id = "oldseccomp-" + UUID.randomUUID().toString().substring(0, 8);
        Jrunc.Result runc = runtimes.runc.run("run", "--bundle", runtimes.bundle.dir.toString(), id + "-r");
        assertThat(runc.code()).as("runc: %s", runc.stderr()).isZero();
        assertThat(runc.stdout()).isEqualTo("started\nNoNewPrivs:\t0\nSeccomp:\t2\n");

        Jrunc.Result jrunc = runtimes.jrunc.run("run", "--bundle", runtimes.bundle.dir.toString(), id + "-j");
        assertThat(jrunc.stderr()).as("jrunc's errors").isEmpty();
        assertThat(jrunc.code()).isZero();
        assertThat(jrunc.stdout()).isEqualTo(runc.stdout());
    }

    @Test
    void withTheProfileNoFdOfTheRuntimeReachesTheContainer() throws Exception {
        runtimes.bundle.args("ls", "/proc/self/fd");
        String id = "oldseccomp-" + UUID.randomUUID().toString().substring(0, 8);
        Jrunc.Result runc = runtimes.runc.run("run", "--bundle", runtimes.bundle.dir.toString(), id + "-r");
        assertThat(runc.stdout()).as("runc: %s", runc.stderr()).isEqualTo("0\n1\n2\n3\n");
        Jrunc.Result jrunc = runtimes.jrunc.run("run", "--bundle", runtimes.bundle.dir.toString(), id + "-j");
        assertThat(jrunc.stdout()).as("jrunc: %s", jrunc.stderr()).isEqualTo(runc.stdout());
    }
}
