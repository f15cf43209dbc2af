import Foundation
import XCTest
@testable import Torch

/// The traced inference path replays a frozen, optimised graph; it must give the eager result,
/// also where a value is used twice, an add broadcasts, or a batch is shorter than the traced one.
final class TracedInferenceTests: XCTestCase {
    override class func setUp() { Runtime.configureThreads() }

    func testMatchesEagerWithSharedValuesBroadcastsAndShortBatches() throws {
        Runtime.seed(0)
        let conv = try Conv2d(3, 8, kernel: 3, padding: 1)
        let second = try Conv2d(8, 8, kernel: 1)
        for layer in [conv, second] {
            layer.eval()
            layer.requiresGrad(false)
        }
        let bias = try Tensor.randn([1, 8, 1, 1])
        let body: (Tensor) throws -> Tensor = { x in
            let y = try conv(x)                   // used three times below
            let r = try y.relu()
            let s = try r + y
            let small = try bias + Tensor.ones([1, 8, 1, 1])   // the result is larger than `bias`...
            let t = try small + s                              // ...and here than `small`
            let u = try second(t).relu()
            return try (u * y).mean(dims: [2, 3])
        }
        let x = try Tensor.randn([4, 3, 16, 16])
        let eager = try withNoGrad { try body(x) }
        let traced = TracedInference(body)
        for _ in 0..<2 {  // the second call replays the cached script
            let out = try traced(x)
            XCTAssertNil(traced.fallbackReason)
            XCTAssertEqual(out.shape, [4, 8])
            XCTAssertLessThan(try (out - eager).abs().max().floats()[0], 1e-4, "traced against eager")
        }
        // Three of four: padded through the script for four (no new trace); the rows still match.
        let short = try traced(x.narrow(dim: 0, start: 0, length: 3))
        XCTAssertEqual(short.shape, [3, 8])
        XCTAssertLessThan(try (short - eager.narrow(dim: 0, start: 0, length: 3)).abs().max().floats()[0], 1e-4)
        XCTAssertEqual(traced.tracedShapes, [[4, 3, 16, 16]])
        // One of four: less than half the batch is traced on its own rather than padded 4×.
        let single = try traced(x.narrow(dim: 0, start: 0, length: 1))
        XCTAssertLessThan(try (single - eager.narrow(dim: 0, start: 0, length: 1)).abs().max().floats()[0], 1e-4)
        XCTAssertEqual(traced.tracedShapes, [[1, 3, 16, 16], [4, 3, 16, 16]])
    }

    /// The fusion pass must rewrite every pattern OSNet uses (convolution + ReLU or sigmoid,
    /// residual add + ReLU, gated multiply and multiply-accumulate) and still give the eager
    /// result, and it must leave an add alone where its other operand is read again later
    /// (fusing there would overwrite a live value).
    func testFusedOnednnOpsMatchEagerAndLeaveLiveValuesAlone() throws {
        Runtime.seed(1)
        let stem = try Conv2d(3, 16, kernel: 3, padding: 1, bias: true)
        let left = try Conv2d(16, 16, kernel: 3, padding: 1, groups: 16)
        let right = try Conv2d(16, 16, kernel: 1)
        let gateConv = try Conv2d(16, 16, kernel: 1, bias: true)
        let merge = try Conv2d(16, 16, kernel: 1)
        let shared = try Conv2d(16, 16, kernel: 1)
        for layer in [stem, left, right, gateConv, merge, shared] {
            layer.eval()
            layer.requiresGrad(false)
        }
        let body: (Tensor) throws -> Tensor = { x in
            let a = try stem(x).relu()                                   // conv + ReLU
            let l = try left(a).relu(), r = try right(a).relu()
            func gate(_ t: Tensor) throws -> Tensor {                    // conv + sigmoid
                try gateConv(F.adaptiveAvgPool2d(t, (1, 1))).sigmoid()
            }
            let mixed = try l * gate(l) + r * gate(r)                    // gate, then gate-accumulate
            let block = try (merge(mixed) + a).relu()                    // residual add + ReLU into `a`
            let live = try (shared(block) + block).relu()                // `block` is read again below
            let pooled = try F.adaptiveAvgPool2d(live, (1, 1))
            let shifted = try (shared(live) + pooled).relu()             // broadcasting add: runs unfused
            return try (shifted + block).mean(dims: [2, 3])
        }
        let x = try Tensor.randn([4, 3, 16, 8])
        let eager = try withNoGrad { try body(x) }
        let fused = TracedInference(fuse: true, body)
        for _ in 0..<2 {
            let out = try fused(x)
            XCTAssertNil(fused.fallbackReason)
            let error = try (out - eager).abs().max().floats()[0], scale = try eager.abs().max().floats()[0]
            XCTAssertLessThan(error, 1e-5 * scale, "fused against eager")
        }
        XCTAssertEqual(fused.nodeCount("aten::relu_"), 1, "only the ReLU after the add with a live operand stays")
        XCTAssertEqual(fused.nodeCount("swiftreid::conv_add_"), 2)
        XCTAssertEqual(fused.nodeCount("swiftreid::gate_"), 1)
        XCTAssertEqual(fused.nodeCount("swiftreid::gate_add_"), 1)
        XCTAssertGreaterThanOrEqual(fused.nodeCount("swiftreid::conv"), 5)
        let plain = TracedInference(fuse: false, body)
        _ = try plain(x)
        XCTAssertEqual(plain.nodeCount("swiftreid::conv"), 0)
        XCTAssertGreaterThan(plain.nodeCount("aten::relu_"), 1)
    }
}
