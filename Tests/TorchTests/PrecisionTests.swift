import XCTest
@testable import Torch

/// `--precision bf16`: CPU autocast around a region, and what it does to the shared OSNet.
final class PrecisionTests: XCTestCase {
    override class func setUp() { Runtime.configureThreads() }

    /// Inside the region a matrix product runs in bfloat16; the state is restored after it, also
    /// after a nested region and after an error thrown inside.
    func testAutocastRegionCastsMatmulAndRestoresState() throws {
        let a = try Tensor.randn([4, 8]), b = try Tensor.randn([8, 3])
        XCTAssertFalse(Precision.autocastIsOn)
        let inside = try Precision.bf16.run { () throws -> DType in
            XCTAssertTrue(Precision.autocastIsOn)
            let nested = try Precision.bf16.run { try a.matmul(b).dtype }
            XCTAssertEqual(nested, .bfloat16)
            XCTAssertTrue(Precision.autocastIsOn, "a nested region's exit keeps the outer one on")
            return try a.matmul(b).dtype
        }
        XCTAssertEqual(inside, .bfloat16)
        XCTAssertFalse(Precision.autocastIsOn)
        XCTAssertEqual(try a.matmul(b).dtype, .float32)
        XCTAssertEqual(try Precision.fp32.run { try a.matmul(b).dtype }, .float32)
        struct Boom: Error {}
        XCTAssertThrowsError(try Precision.bf16.run { throw Boom() })
        XCTAssertFalse(Precision.autocastIsOn, "an error inside still restores the state")
    }

    /// bf16 runs where the CPU has it; fp32 always resolves to itself.
    func testResolvedFallsBackWithAReasonOnlyWithoutNativeSupport() {
        XCTAssertEqual(Precision.fp32.resolved().precision, .fp32)
        let (chosen, note) = Precision.bf16.resolved()
        if Precision.cpuHasNativeBF16 {
            XCTAssertEqual(chosen, .bf16)
            XCTAssertNil(note)
        } else {
            XCTAssertEqual(chosen, .fp32)
            XCTAssertTrue(note?.contains("no native bfloat16") ?? false, note ?? "no note")
        }
    }

    /// ReLU6 has a bfloat16 backward (libtorch 1.13's hardtanh has none on the CPU).
    func testReLU6BackwardInBF16() throws {
        let x = try Tensor([-1, 0.5, 3, 7] as [Float], shape: [4]).to(.bfloat16)
        x.requiresGrad = true
        try x.relu6().sum().backward()
        XCTAssertEqual(try x.grad!.to(.float32).floats(), [0, 1, 1, 0])
        XCTAssertEqual(try x.relu6().to(.float32).floats(), [0, 0.5, 3, 6])
    }

    /// The shared OSNet in bf16, eager and traced, against onnxruntime's float32 output: float32
    /// features within 12 % relative L2 per image and cosine ≥ 0.99 (measured on this fixture:
    /// at most 8.4 % and at least 0.9964, the rounding of bfloat16's 8-bit mantissa through
    /// 187 convolutions); both paths agree with each other far closer than with fp32.
    func testOSNetFeaturesInBF16StayCloseToFloat32() throws {
        guard Precision.cpuHasNativeBF16 else { throw XCTSkip("this CPU has no native bfloat16; --precision bf16 runs float32 here") }
        let fixture = try Safetensors.load(SharedFiles.path("fixtures/osnet_x0_25_msmt17_parity.safetensors"))
        let input = try XCTUnwrap(fixture["input"]), expected = try XCTUnwrap(fixture["output"])
        let graph = try ONNXGraph(path: SharedFiles.osnetONNX)
        graph.eval()
        graph.requiresGrad(false)
        let eager = try withNoGrad { try Precision.bf16.run { try graph(input) }.to(.float32) }
        let script = TracedInference { x in try Precision.bf16.run { try graph(x) }.to(.float32) }
        let traced = try script(input)
        XCTAssertNil(script.fallbackReason)
        for (name, output) in [("eager", eager), ("traced", traced)] {
            XCTAssertEqual(output.dtype, DType.float32)
            let error = try maxRowRelativeError(output, expected)
            XCTAssertLessThan(error, 0.12, "\(name): largest per-row relative L2 error")
            XCTAssertGreaterThan(error, 1e-3, "\(name): bf16 differs from fp32 at all (else autocast was not on)")
            let cosine = try (output.normalized(dim: 1) * expected.normalized(dim: 1)).sum(dim: 1).floats()
            XCTAssertGreaterThanOrEqual(cosine.min() ?? 0, 0.99, name)
        }
        XCTAssertLessThan(try maxRowRelativeError(traced, eager), 0.05, "traced and eager bf16 compute the same function")
    }

    /// Flushing denormals (Runtime.configure does it): a product that would be denormal becomes 0,
    /// and switching it off brings denormals back.
    func testFlushDenormalsOnThisThread() throws {
        let tiny = try Tensor([Float(1e-20)], shape: [1])
        defer { Runtime.setFlushDenormals(false) }
        #if arch(x86_64)
        XCTAssertTrue(Runtime.setFlushDenormals(true), "x86-64 has flush-to-zero")
        #else
        guard Runtime.setFlushDenormals(true) else { throw XCTSkip("libtorch cannot flush denormals on this CPU") }
        #endif
        XCTAssertEqual(try (tiny * tiny).floats(), [0])
        Runtime.setFlushDenormals(false)
        let kept = try (tiny * tiny).floats()[0]
        XCTAssertGreaterThan(kept, 0, "1e-40 is a denormal float, kept without the flush")
    }
}
