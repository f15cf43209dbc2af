import Foundation
import XCTest
@testable import ReIDGallery

/// Concurrent single-image embeddings run as batches: each caller gets its own row, no pass
/// exceeds the cap, a lone call runs at once, and an error reaches every caller of its pass.
final class EmbeddingBatcherTests: XCTestCase {
    func testConcurrentCallsShareForwardPassesAndGetTheirOwnRows() {
        let sizes = Locked<[Int]>([])
        let batcher = EmbeddingBatcher<Int, Int>(maxBatch: 8) { inputs in
            sizes.mutate { $0.append(inputs.count) }
            Thread.sleep(forTimeInterval: 0.02)  // a forward pass takes time; callers pile up meanwhile
            return inputs.map { $0 * 10 }
        }
        XCTAssertEqual(try batcher(7), 70, "a lone call runs at once")
        let results = Locked<[Int: Int]>([:])
        onSeparateThreads(64) { i in
            if let out = try? batcher(i) { results.mutate { $0[i] = out } }
        }
        XCTAssertEqual(results.value.count, 64)
        for (i, out) in results.value { XCTAssertEqual(out, i * 10, "caller \(i) got another caller's row") }
        let passes = sizes.value.dropFirst()
        XCTAssertEqual(passes.reduce(0, +), 64)
        XCTAssertLessThanOrEqual(passes.max() ?? 0, 8)
        XCTAssertLessThan(passes.count, 64, "callers waiting during a pass were batched together")
        XCTAssertEqual(batcher.counts.embedded, 65)
    }

    func testAnErrorReachesEveryCallerOfItsPass() {
        struct Broken: Error {}
        let batcher = EmbeddingBatcher<Int, Int>(maxBatch: 4) { inputs in
            Thread.sleep(forTimeInterval: 0.01)
            if inputs.contains(3) { throw Broken() }
            return inputs
        }
        let failed = Locked<Int>(0), succeeded = Locked<Int>(0)
        onSeparateThreads(12) { i in
            do { _ = try batcher(i); succeeded.mutate { $0 += 1 } } catch { failed.mutate { $0 += 1 } }
        }
        XCTAssertEqual(failed.value + succeeded.value, 12)
        XCTAssertGreaterThanOrEqual(failed.value, 1)
        XCTAssertEqual(try batcher(5), 5, "the batcher works again after a failed pass")
        // A run that returns the wrong number of rows is an error, not a wrong answer.
        let short = EmbeddingBatcher<Int, Int>(maxBatch: 4) { _ in [] }
        XCTAssertThrowsError(try short(1))
    }
}

/// Runs `body(i)` for i in 0..<count, each on a thread of its own, all at once, and waits for them
/// (unlike `concurrentPerform`, the concurrency does not depend on the number of cores).
func onSeparateThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for i in 0..<count {
        group.enter()
        Thread { body(i); group.leave() }.start()
    }
    group.wait()
}

/// A value behind a lock, for the tests' concurrent callers.
final class Locked<T>: @unchecked Sendable {
    private var stored: T
    private let lock = NSLock()
    init(_ value: T) { stored = value }
    var value: T { lock.withLock { stored } }
    func mutate(_ body: (inout T) -> Void) { lock.withLock { body(&stored) } }
}
