import CTorch
import Foundation

/// Runs a forward pass through libtorch's TorchScript inference path: the pass is traced once
/// per input shape, frozen and optimised for inference (conv/BN folding, oneDNN layouts and
/// fusions — what `torch.jit.optimize_for_inference` does), then replayed. Parameters must not
/// require grad (call `module.requiresGrad(false)`) and the module must be in eval mode.
///
/// On the CPU it then fuses each ReLU, sigmoid, residual add and channel gate into the oneDNN
/// convolution or multiply before it (`fuse`; CTorch's mkldnn_fusion.cpp): OSNet x0.25 runs 18-28 %
/// faster on one thread. `REID_NO_FUSION=1` turns the fusion off, to compare.
///
/// If tracing fails (an operation the tracer cannot record), it falls back to the eager pass and
/// says why in `fallbackReason`, so results never depend on tracing working.
public final class TracedInference {
    let body: (Tensor) throws -> Tensor
    let optimize: Bool
    let fuse: Bool
    private var scripts: [[Int]: OpaquePointer] = [:]
    private let lock = NSLock()
    public private(set) var fallbackReason: String?

    /// The input shapes traced so far (a short batch reuses a larger batch's script).
    public var tracedShapes: [[Int]] { lock.withLock { scripts.keys.sorted { $0.lexicographicallyPrecedes($1) } } }

    public init(optimize: Bool = true, fuse: Bool = TracedInference.fusionByDefault,
                _ body: @escaping (Tensor) throws -> Tensor) {
        self.body = body
        self.optimize = optimize
        self.fuse = fuse
    }

    /// On unless `REID_NO_FUSION` is set to a non-empty value.
    public static var fusionByDefault: Bool {
        (ProcessInfo.processInfo.environment["REID_NO_FUSION"] ?? "").isEmpty
    }

    /// How many nodes of `kind` (such as "aten::relu_" or "swiftreid::conv") the traced graphs hold.
    public func nodeCount(_ kind: String) -> Int {
        lock.withLock { scripts.values.reduce(0) { $0 + max(0, Int(ct_script_count_nodes($1, kind))) } }
    }

    deinit { for s in scripts.values { ct_script_free(s) } }

    /// Safe to call from several threads at once: tracing is serialised, replays run in parallel.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let (script, batch): (OpaquePointer?, Int) = lock.withLock {
            if fallbackReason != nil { return (nil, 0) }
            if let cached = scripts[x.shape] { return (cached, x.shape.first ?? 0) }
            if let (shape, cached) = paddableScript(for: x.shape) { return (cached, shape[0]) }
            guard let traced = trace(x) else { return (nil, 0) }
            scripts[x.shape] = traced
            return (traced, x.shape.first ?? 0)
        }
        guard let script else { return try withNoGrad { try body(x) } }
        let n = x.shape.first ?? 0
        if batch == n { return try wrap(ct_script_forward(script, x.handle)) }
        // A short last batch runs through the full batch's script, padded with zeros: cheaper
        // than tracing and optimising the model again for one batch.
        var padShape = x.shape
        padShape[0] = batch - n
        let padded = try Tensor.cat([x, Tensor.zeros(padShape, dtype: x.dtype, device: x.device)], dim: 0)
        return try wrap(ct_script_forward(script, padded.handle)).narrow(dim: 0, start: 0, length: n)
    }

    /// A traced script for a batch up to twice as large, with the same item shape (callers hold
    /// `lock`). Far smaller batches (a single query against a script for 64) get their own trace.
    private func paddableScript(for shape: [Int]) -> ([Int], OpaquePointer)? {
        guard let n = shape.first, n > 0 else { return nil }
        return scripts.filter { key, _ in
            key.count == shape.count && key.dropFirst() == shape.dropFirst() && key[0] > n && key[0] <= 2 * n
        }.min { $0.key[0] < $1.key[0] }.map { ($0.key, $0.value) }
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
        let flags = Int32(optimize ? CT_TRACE_OPTIMIZE | (fuse ? CT_TRACE_FUSE : 0) : 0)
        let script = withExtendedLifetime(box) { ct_trace(example.handle, callback, context, flags) }
        if script == nil {
            fallbackReason = box.error.map { "\($0)" } ?? String(cString: ct_last_error())
            FileHandle.standardError.write(Data(
                "note: running the model eagerly; the TorchScript inference path failed: \(fallbackReason!)\n".utf8))
        }
        return script
    }
}
