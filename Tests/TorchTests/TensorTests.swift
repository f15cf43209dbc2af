import XCTest
@testable import Torch

final class TensorTests: XCTestCase {
    override class func setUp() { Runtime.configureThreads() }

    func testArrayRoundTripAndShape() throws {
        let t = try Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        XCTAssertEqual(t.shape, [2, 3])
        XCTAssertEqual(t.dtype, .float32)
        XCTAssertEqual(try t.floats(), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try t.t().contiguous().floats(), [1, 4, 2, 5, 3, 6])
        XCTAssertThrowsError(try Tensor([1, 2, 3] as [Float], shape: [2, 2]))
    }

    func testBroadcastArithmeticAndMatmul() throws {
        let a = try Tensor([1, 2, 3, 4] as [Float], shape: [2, 2])
        let b = try Tensor([10, 20] as [Float], shape: [2])
        XCTAssertEqual(try (a + b).floats(), [11, 22, 13, 24])
        XCTAssertEqual(try (2 - a).floats(), [1, 0, -1, -2])
        XCTAssertEqual(try (a.matmul(a)).floats(), [7, 10, 15, 22])
        XCTAssertEqual(try a.sum().item(), 10)
        XCTAssertEqual(try a.mean(dim: 0).floats(), [2, 3])
    }

    func testShapeMismatchThrowsInsteadOfCrashing() throws {
        let a = try Tensor.zeros([2, 3]), b = try Tensor.zeros([4, 5])
        XCTAssertThrowsError(try a + b) { error in
            XCTAssertTrue("\(error)".contains("libtorch"), "\(error)")
        }
        XCTAssertThrowsError(try a.matmul(b))
    }

    func testIndexingSortingAndSplits() throws {
        let x = try Tensor([3, 1, 2, 9, 7, 8] as [Float], shape: [2, 3])
        let (v, i) = try x.topk(2, dim: 1)
        XCTAssertEqual(try v.floats(), [3, 2, 9, 8])
        XCTAssertEqual(try i.int64s(), [0, 2, 0, 2])
        XCTAssertEqual(try x.argsort(dim: 1).int64s(), [1, 2, 0, 1, 2, 0])
        let parts = try x.split(size: 1, dim: 0)
        XCTAssertEqual(parts.count, 2)
        XCTAssertEqual(try parts[1].floats(), [9, 7, 8])
        XCTAssertEqual(try x.chunk(3, dim: 1).count, 3)
        let g = try x.gather(dim: 1, index: Tensor([0, 0, 2, 1] as [Int64], shape: [2, 2]))
        XCTAssertEqual(try g.floats(), [3, 3, 8, 7])
        let masked = try x.maskedFill(x.gt(5), 0)
        XCTAssertEqual(try masked.floats(), [3, 1, 2, 0, 0, 0])
        XCTAssertEqual(try Tensor.cat([x, x], dim: 0).shape, [4, 3])
        XCTAssertEqual(try Tensor.stack([x, x], dim: 0).shape, [2, 2, 3])
    }

    func testCdistMatchesDefinition() throws {
        let a = try Tensor([0, 0, 3, 4] as [Float], shape: [2, 2])
        let d = try Tensor.cdist(a, a)
        XCTAssertEqual(try d.floats(), [0, 5, 5, 0])
    }

    func testSeededRandomIsReproducible() throws {
        Runtime.seed(7)
        let a = try Tensor.randn([5]).floats()
        Runtime.seed(7)
        let b = try Tensor.randn([5]).floats()
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, try Tensor.randn([5]).floats())
    }

    func testNoGradStopsRecording() throws {
        let w = try Tensor.ones([3])
        w.requiresGrad = true
        let y = try withNoGrad { try (w * 2).sum() }
        XCTAssertFalse(y.requiresGrad)
        let z = try (w * 2).sum()
        XCTAssertTrue(z.requiresGrad)
        try z.backward()
        XCTAssertEqual(try w.grad?.floats(), [2, 2, 2])
    }

    func testThreadsFollowCoreCount() {
        Runtime.configureThreads()
        XCTAssertEqual(Runtime.threadCount, ProcessInfo.processInfo.activeProcessorCount)
    }
}
