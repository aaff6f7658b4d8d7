import NIOCore

/// Runs a session's tasks on the event loop of its connection (a task executor preference,
/// SE-0417): the session, its client channel and, in proxy mode, its upstream channel share
/// one thread, so a relayed command and its answer pass through crmgate without waking
/// another thread. Work that blocks (password hashing, the store's reads and writes) runs
/// elsewhere already: the store's on its own queues, hashing inside the store's calls.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
