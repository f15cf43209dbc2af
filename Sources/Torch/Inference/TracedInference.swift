import CTorch
import Foundation

/// Runs a forward pass through libtorch's TorchScript inference path: the pass is traced once
/// per input shape, frozen and optimised for inference (conv/BN folding, oneDNN layouts and
/// fusions — what `torch.jit.optimize_for_inference` does), then replayed. Parameters must not
/// require grad (call `module.requiresGrad(false)`) and the module must be in eval mode.
///
/// If tracing fails (an operation the tracer cannot record), it falls back to the eager pass and
/// says why in `fallbackReason`, so results never depend on tracing working.
public final class TracedInference {
    let body: (Tensor) throws -> Tensor
    let optimize: Bool
    private var scripts: [[Int]: OpaquePointer] = [:]
    private let lock = NSLock()
    public private(set) var fallbackReason: String?

    public init(optimize: Bool = true, _ body: @escaping (Tensor) throws -> Tensor) {
        self.body = body
        self.optimize = optimize
    }

    deinit { for s in scripts.values { ct_script_free(s) } }

    /// Safe to call from several threads at once: tracing is serialised, replays run in parallel.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let script: OpaquePointer? = lock.withLock {
            if fallbackReason != nil { return nil }
            if let cached = scripts[x.shape] { return cached }
            guard let traced = trace(x) else { return nil }
            scripts[x.shape] = traced
            return traced
        }
        guard let script else { return try withNoGrad { try body(x) } }
        return try wrap(ct_script_forward(script, x.handle))
    }

    private final class Box {
        let body: (Tensor) throws -> Tensor
        var error: Error?
        init(_ body: @escaping (Tensor) throws -> Tensor) { self.body = body }
    }

    private func trace(_ example: Tensor) -> OpaquePointer? {
        let box = Box(body)
        let context = Unmanaged.passUnretained(box).toOpaque()
        let callback: ct_trace_body = { context, input, output in
            let box = Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue()
            do {
                let result = try box.body(Tensor(handle: input!))
                output!.pointee = ct_tensor_share(result.handle)
                return 0
            } catch {
                box.error = error
                return 1
            }
        }
        let script = withExtendedLifetime(box) { ct_trace(example.handle, callback, context, optimize ? 1 : 0) }
        if script == nil {
            fallbackReason = box.error.map { "\($0)" } ?? String(cString: ct_last_error())
            FileHandle.standardError.write(Data(
                "note: running the model eagerly; the TorchScript inference path failed: \(fallbackReason!)\n".utf8))
        }
        return script
    }
}
