import NIOCore

/// Everything that can wake a session: client bytes, a change of its selected
/// mailbox, the timeout clock, or server shutdown. One consumer handles them in order,
/// so all session state is touched by one task only.
enum SessionEvent: Sendable {
    case data(ByteBuffer)
    case mailboxChanged
    /// The upstream server (proxy mode) sent bytes nobody was waiting for, or went away.
    case upstreamData
    case tick
    case shutdown
}

/// The last handler before the session's `NIOAsyncChannel`: it passes the client's bytes on
/// as `.data` and adds the other events to the same inbound stream (`SessionEvents.send`),
/// so the session's loop reads everything in order from one stream, with NIO's
/// back-pressure, and needs no reader task or channel of its own.
final class SessionEventHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = SessionEvent

    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(wrapInboundOut(.data(unwrapInboundIn(data))))
    }

    /// On the channel's event loop. After the channel is gone, events are dropped.
    fileprivate func inject(_ event: SessionEvent) {
        guard let context else { return }
        context.fireChannelRead(wrapInboundOut(event))
        context.fireChannelReadComplete()
    }
}

/// Sends events into one session's inbound stream, from any thread.
struct SessionEvents: Sendable {
    private let handler: NIOLoopBound<SessionEventHandler>

    /// Adds the handler to `channel`'s pipeline (on its event loop, before it is wrapped).
    init(addingHandlerTo channel: any Channel) throws {
        let handler = SessionEventHandler()
        try channel.pipeline.syncOperations.addHandler(handler)
        self.handler = NIOLoopBound(handler, eventLoop: channel.eventLoop)
    }

    func send(_ event: SessionEvent) {
        let handler = self.handler
        handler.eventLoop.execute { handler.value.inject(event) }
    }
}
