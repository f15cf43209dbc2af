import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client is too slow to send a request: the head must arrive within
/// `headTimeout` of the connection opening, and each request's body must be complete within
/// `bodyTimeout` of its head. A slow-loris client that sends half a header and then trickles
/// bytes would otherwise hold its connection (and a file descriptor) forever; Hummingbird's own
/// idle timeout restarts on every byte-carrying part, so it does not stop a body trickle.
///
/// Sits in the child channel pipeline after HTTP decoding (Hummingbird's
/// `additionalChannelHandlers`), so it sees request parts, not bytes. Keep-alive connections
/// between requests are bounded by the idle timeout instead.
final class RequestReadTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    let headTimeout: TimeAmount
    let bodyTimeout: TimeAmount
    private var deadline: Scheduled<Void>?
    private var sawFirstHead = false

    init(headTimeout: TimeAmount, bodyTimeout: TimeAmount) {
        self.headTimeout = headTimeout
        self.bodyTimeout = bodyTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive && !sawFirstHead { arm(context, after: headTimeout) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if deadline == nil && !sawFirstHead { arm(context, after: headTimeout) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            sawFirstHead = true
            arm(context, after: bodyTimeout)
        case .end:
            disarm()
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    private func arm(_ context: ChannelHandlerContext, after delay: TimeAmount) {
        disarm()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: delay) { channel.close(promise: nil) }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}
