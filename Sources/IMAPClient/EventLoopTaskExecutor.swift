import NIOCore

/// Runs tasks on an event loop (a task executor preference, SE-0417). crmgate's IMAP sessions
/// prefer their connection's loop, and a connection's read task its channel's: the session,
/// its client channel and, in proxy mode, its upstream channel share one thread, so a
/// relayed command and its answer pass through crmgate without waking another thread. Work
/// that blocks runs elsewhere: the store's on its own queues, password hashing on its pool.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let loop: any EventLoop

    public init(_ loop: any EventLoop) {
        self.loop = loop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
