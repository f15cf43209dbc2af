import Foundation
import Torch

/// Runs a model over images in evaluation mode without autograd and stacks the features.
public struct FeatureExtractor {
    public var height: Int
    public var width: Int
    public var batchSize: Int
    public var device: Device

    public init(height: Int = 256, width: Int = 128, batchSize: Int = 64, device: Device = .cpu) {
        self.height = height
        self.width = width
        self.batchSize = batchSize
        self.device = device
    }

    /// Features [N, D] for `paths`, in order. `embed` maps a [B,3,H,W] batch to [B, D].
    public func extract(paths: [String], progress: Progress? = nil,
                        embed: (Tensor) throws -> Tensor) throws -> Tensor {
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
}
