import CTorch
import Dispatch
import Foundation

/// Process-wide libtorch settings.
public enum Runtime {
    /// Debian's libtorch starts with one intra-op thread; SwiftReID uses every core unless told
    /// otherwise (`REID_THREADS`).
    public static func configureThreads(_ count: Int? = nil) {
        let env = ProcessInfo.processInfo.environment["REID_THREADS"].flatMap(Int.init)
        let n = count ?? env ?? ProcessInfo.processInfo.activeProcessorCount
        ct_set_num_threads(Int32(max(1, n)))
    }

    /// Keeps freed memory for reuse instead of returning it to the kernel, so each training
    /// step or extraction batch reuses the previous one's buffers without page faults (the
    /// effect jemalloc/tcmalloc give PyTorch on CPU): no mmap, no trimming, and one malloc arena
    /// for all threads. `REID_KEEP_FREED_MEMORY=0` turns it off.
    public static func keepFreedMemory() {
        if ProcessInfo.processInfo.environment["REID_KEEP_FREED_MEMORY"] == "0" { return }
        ct_keep_freed_memory()
    }

    /// Threads and allocator as SwiftReID's commands use them.
    public static func configure() {
        flushDenormals()
        configureThreads()
        keepFreedMemory()
    }

    /// Treats denormal floats (below about 1e-38) as zero on this thread, and on the threads it
    /// creates afterwards (libtorch's OpenMP workers among them), as `torch.set_flush_denormal(True)`
    /// does. Why: Intel cores take a slow microcode path for every denormal operand; the shared OSNet,
    /// whose activations fade to denormals in places, ran 5.6× slower than the same network with
    /// random weights on an Intel Xeon. `REID_KEEP_DENORMALS=1` turns it off, to compare.
    @discardableResult
    public static func flushDenormals() -> Bool {
        if ProcessInfo.processInfo.environment["REID_KEEP_DENORMALS"] == "1" { return false }
        return setFlushDenormals(true)
    }

    /// Switches flush-to-zero / denormals-are-zero on or off for this thread; false where the CPU lacks it.
    @discardableResult
    public static func setFlushDenormals(_ on: Bool) -> Bool { ct_set_flush_denormal(on ? 1 : 0) != 0 }

    public static var threadCount: Int { Int(ct_get_num_threads()) }

    /// Runs `body` with libtorch using `count` intra-op threads for work started from this thread
    /// (other threads keep theirs), then restores this thread's count. Lets several single-threaded
    /// streams run side by side, which beats one stream on all cores for small models.
    public static func withThreadsOnThisThread<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
        let previous = ct_set_threads_on_this_thread(Int32(max(1, count)))
        defer { ct_set_threads_on_this_thread(previous) }
        return try body()
    }

    /// Runs `body(worker)` for workers 0..<count side by side, each with libtorch/OpenMP and BLAS
    /// on one thread, and rethrows the lowest-numbered worker's error. For loops that split their
    /// work by hand and call BLAS from each worker: multi-threaded OpenBLAS and OpenMP pools spin
    /// against each other on few cores when short products alternate with other loops.
    public static func concurrentSingleThreaded(_ count: Int, _ body: @Sendable (Int) throws -> Void) throws {
        guard count > 0 else { return }
        let errors = ErrorSlot()
        BLASKernels.withSingleThreadedBLAS {
            DispatchQueue.concurrentPerform(iterations: count) { worker in
                withThreadsOnThisThread(1) {
                    do { try body(worker) } catch { errors.record(error, at: worker) }
                }
            }
        }
        if let error = errors.first { throw error }
    }

    /// Seeds libtorch's default generator (weights init, dropout, rand/randn).
    public static func seed(_ value: UInt64) { ct_manual_seed(value) }
}

/// Runs `body` with autograd recording switched off (like `torch.no_grad()`), on this thread.
@discardableResult
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = ct_set_grad_enabled(0)
    defer { ct_set_grad_enabled(previous) }
    return try body()
}

/// Runs `body` with autograd recording switched on.
@discardableResult
public func withGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = ct_set_grad_enabled(1)
    defer { ct_set_grad_enabled(previous) }
    return try body()
}

/// Keeps the error of the lowest-numbered failing worker (image, range…), so that parallel work
/// reports the same error whichever thread failed first.
public final class ErrorSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var lowest: (index: Int, error: Error)?

    public init() {}

    public func record(_ error: Error, at index: Int) {
        lock.lock()
        defer { lock.unlock() }
        if lowest == nil || index < lowest!.index { lowest = (index, error) }
    }

    public var first: Error? {
        lock.lock()
        defer { lock.unlock() }
        return lowest?.error
    }
}
