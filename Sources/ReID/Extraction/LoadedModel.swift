import Foundation
import Torch

/// A model ready to embed images: built from a name (`resnet50`, `osnet_x0_25`, `onnx:PATH`, …)
/// and a weight file, in evaluation mode.
public final class LoadedModel {
    public let name: String
    public let module: any Module
    let forward: (Tensor) throws -> Tensor

    init(name: String, module: any Module, forward: @escaping (Tensor) throws -> Tensor) {
        self.name = name
        self.module = module
        self.forward = forward
    }

    /// Features [B, D] for a normalised [B, 3, H, W] batch.
    public func embed(_ batch: Tensor) throws -> Tensor {
        let out = try forward(batch)
        return out.rank == 2 ? out : try out.flatten(from: 1)
    }

    public static func load(_ spec: String, weights: String?, device: Device = .cpu) throws -> LoadedModel {
        throw ReIDError.model("unknown model '\(spec)'")
    }
}
