import Dispatch
import Foundation
import Torch

/// Turns image files into normalised NCHW batches. Each batch is decoded in parallel on every
/// core, and the next batch is prepared in the background while the caller uses the current one.
///
/// Without a pipeline, images are resized and normalised in one native pass (evaluation). With a
/// `TransformPipeline` (training), image k of the stream, k = firstIndex + position in `paths`,
/// is transformed with the generator derived from (seed, k): batches are reproducible.
public final class BatchLoader: @unchecked Sendable {
    public let paths: [String]
    public let height: Int
    public let width: Int
    public let batchSize: Int
    /// The transforms, or nil for plain resize + ImageNet normalisation.
    public let pipeline: TransformPipeline?
    public let seed: UInt64
    /// The stream position of `paths[0]`, for the per-image generators.
    public let firstIndex: Int
    let workers: Int

    public init(paths: [String], height: Int, width: Int, batchSize: Int,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.paths = paths
        self.height = height
        self.width = width
        self.batchSize = max(1, batchSize)
        self.workers = max(1, workers)
        self.pipeline = nil
        self.seed = 0
        self.firstIndex = 0
    }

    /// A loader that runs `pipeline` on every image (its height and width set the batch size).
    public init(paths: [String], pipeline: TransformPipeline, batchSize: Int, seed: UInt64, firstIndex: Int = 0,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.paths = paths
        self.height = pipeline.height
        self.width = pipeline.width
        self.batchSize = max(1, batchSize)
        self.workers = max(1, workers)
        self.pipeline = pipeline
        self.seed = seed
        self.firstIndex = firstIndex
    }

    /// Batches of the records' images in order (see `init(paths:pipeline:…)`).
    public convenience init(records: [ImageRecord], pipeline: TransformPipeline, batchSize: Int, seed: UInt64,
                            workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.init(paths: records.map(\.path), pipeline: pipeline, batchSize: batchSize, seed: seed, workers: workers)
    }

    public var batchCount: Int { (paths.count + batchSize - 1) / batchSize }

    /// Decodes batch `index` into a [B, 3, H, W] float tensor; the error names the first bad file.
    public func load(batch index: Int) throws -> Tensor {
        let start = index * batchSize
        let end = min(paths.count, start + batchSize)
        let n = end - start
        let plane = 3 * height * width
        var buffer = [Float](repeating: 0, count: n * plane)
        let errors = ErrorSlot()
        buffer.withUnsafeMutableBufferPointer { raw in
            let base = UnsafeSendablePointer(raw.baseAddress!)
            let chunk = (n + workers - 1) / workers
            DispatchQueue.concurrentPerform(iterations: min(workers, n)) { worker in
                for i in (worker * chunk)..<min(n, (worker + 1) * chunk) {
                    do {
                        if let pipeline {
                            let image = try pipeline.load(paths[start + i], seed: seed, index: firstIndex + start + i)
                            image.values.withUnsafeBufferPointer {
                                (base.pointer + i * plane).update(from: $0.baseAddress!, count: plane)
                            }
                        } else {
                            try ImageLoading.loadNormalized(paths[start + i], height: height, width: width,
                                                            into: base.pointer + i * plane)
                        }
                    } catch {
                        errors.record(error, at: i)
                    }
                }
            }
        }
        if let error = errors.first { throw error }
        return try Tensor(buffer, shape: [n, 3, height, width])
    }

    /// Calls `body` with every batch in order, prefetching the next one meanwhile.
    public func forEachBatch(_ body: (_ index: Int, _ batch: Tensor) throws -> Void) throws {
        guard batchCount > 0 else { return }
        let queue = DispatchQueue(label: "reid.prefetch")
        var pending = Prefetch(loader: self, index: 0, queue: queue)
        // However the loop ends (a thrown error, a stop signal), the background decode finishes
        // first: a process must not exit while a worker still runs inside OpenCV or libtorch.
        defer { queue.sync {} }
        for index in 0..<batchCount {
            let current = try pending.wait()
            if index + 1 < batchCount { pending = Prefetch(loader: self, index: index + 1, queue: queue) }
            try body(index, current)
        }
    }
}

/// A batch being decoded in the background.
private struct Prefetch {
    private let group = DispatchGroup()
    private let box = ResultBox()

    init(loader: BatchLoader, index: Int, queue: DispatchQueue) {
        let box = self.box
        queue.async(group: group) { box.result = Result { try loader.load(batch: index) } }
    }

    func wait() throws -> Tensor {
        group.wait()
        return try box.result!.get()
    }
}

private final class ResultBox: @unchecked Sendable {
    var result: Result<Tensor, Error>?
}
