import Foundation
import Torch

/// Runs a model over images in evaluation mode without autograd and stacks the features.
public struct FeatureExtractor {
    public var height: Int
    public var width: Int
    public var batchSize: Int
    public var device: Device
    /// Batches in flight at once, each decoded and embedded by one thread with a single libtorch
    /// thread (see `extractInStreams`); 1: one stream that uses every core.
    public var streams: Int

    /// Images per model batch unless a command is told otherwise (extract, evaluate, index build and add).
    public static let defaultBatchSize = 64

    public init(height: Int = 256, width: Int = 128, batchSize: Int = FeatureExtractor.defaultBatchSize, device: Device = .cpu,
                streams: Int = 1) {
        self.height = height
        self.width = width
        self.batchSize = batchSize
        self.device = device
        self.streams = streams
    }

    /// Features [N, D] for `paths`, in order. `embed` maps a [B,3,H,W] batch to [B, D].
    public func extract(paths: [String], progress: Progress? = nil,
                        embed: (Tensor) throws -> Tensor) throws -> Tensor {
        if streams > 1 { return try extractInStreams(paths: paths, progress: progress, embed: embed) }
        let loader = BatchLoader(paths: paths, height: height, width: width, batchSize: batchSize)
        var parts: [Tensor] = []
        try withNoGrad {
            try loader.forEachBatch { _, batch in
                let out = try embed(batch.to(device))
                guard out.rank == 2, out.size(0) == batch.size(0) else {
                    throw ReIDError.model("the model returned shape \(out.shape) for a batch of \(batch.size(0)); expected [N, D]")
                }
                parts.append(try out.to(.cpu))
                progress?.advance(batch.size(0))
            }
        }
        return try Tensor.cat(parts, dim: 0)
    }

    /// `streams` threads each take the next batch, decode it and run the model on it with one
    /// libtorch thread. A small model's layers are too small to split well over cores, so
    /// independent batches side by side keep the cores busier. `embed` must be safe to call
    /// concurrently (a traced script or an eval-mode model).
    func extractInStreams(paths: [String], progress: Progress?, embed: (Tensor) throws -> Tensor) throws -> Tensor {
        let loader = BatchLoader(paths: paths, height: height, width: width, batchSize: batchSize, workers: 1)
        guard loader.batchCount > 0 else { return try Tensor.cat([], dim: 0) }
        return try withoutActuallyEscaping(embed) { embed in
            let state = StreamState(loader: loader, device: device, progress: progress, embed: embed)
            DispatchQueue.concurrentPerform(iterations: streams) { _ in
                Runtime.withThreadsOnThisThread(1) { withNoGrad { state.work() } }
            }
            if let failure = state.failure { throw failure }
            return try Tensor.cat(state.results.map { $0! }, dim: 0)
        }
    }
}

/// The shared queue and results of `extractInStreams`; every field is read and written under `lock`
/// except the immutable ones.
private final class StreamState: @unchecked Sendable {
    let loader: BatchLoader
    let device: Device
    let progress: Progress?
    let embed: (Tensor) throws -> Tensor
    let lock = NSLock()
    var next = 0
    var results: [Tensor?]
    var failure: Error?

    init(loader: BatchLoader, device: Device, progress: Progress?, embed: @escaping (Tensor) throws -> Tensor) {
        self.loader = loader
        self.device = device
        self.progress = progress
        self.embed = embed
        results = [Tensor?](repeating: nil, count: loader.batchCount)
    }

    /// Takes batches until none is left or one failed.
    func work() {
        while true {
            let index: Int? = lock.withLock {
                guard failure == nil, next < results.count else { return nil }
                next += 1
                return next - 1
            }
            guard let index else { return }
            do {
                let batch = try loader.load(batch: index)
                let out = try embed(batch.to(device))
                guard out.rank == 2, out.size(0) == batch.size(0) else {
                    throw ReIDError.model("the model returned shape \(out.shape) for a batch of \(batch.size(0)); expected [N, D]")
                }
                let cpu = try out.to(.cpu)
                lock.withLock {
                    results[index] = cpu
                    progress?.advance(batch.size(0))
                }
            } catch {
                lock.withLock { if failure == nil { failure = error } }
                return
            }
        }
    }
}
