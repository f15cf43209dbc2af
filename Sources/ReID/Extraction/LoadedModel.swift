import Foundation
import Torch

/// A model ready to embed images, in evaluation mode: a registry backbone with a re-ID head
/// (`resnet50`, `osnet_x0_25`, …) plus a weight file, an imported ONNX graph (`onnx:PATH`), or
/// the learning-free `color-histogram` baseline.
public final class LoadedModel {
    public let name: String
    public let module: any Module
    /// What the weights held (nil for ONNX graphs and untrained models).
    public let weightsReport: WeightsLoadReport?
    let forward: (Tensor) throws -> Tensor

    init(name: String, module: any Module, report: WeightsLoadReport?, forward: @escaping (Tensor) throws -> Tensor) {
        self.name = name
        self.module = module
        self.weightsReport = report
        self.forward = forward
    }

    /// Features [B, D] for a normalised [B, 3, H, W] batch.
    public func embed(_ batch: Tensor) throws -> Tensor {
        let out = try forward(batch)
        return out.rank == 2 ? out : try out.flatten(from: 1)
    }

    /// Builds the named model and loads `weights`. Without weights a registry model keeps its
    /// random initialisation (useful for smoke runs; the caller should say so).
    /// `precision` bf16 runs the network under CPU autocast (resolve it first with
    /// `Precision.resolved(on:)`); the features come out float32 either way.
    public static func load(_ spec: String, weights: String?, device: Device = .cpu,
                            traced: Bool = true, precision: Precision = .fp32) throws -> LoadedModel {
        if spec == "color-histogram" {
            let identity = Lambda { $0 }
            return LoadedModel(name: spec, module: identity, report: nil) { try ColorHistogram.features($0) }
        }
        // An ONNX graph alone runs as imported; with weights (a run fine-tuned from it, which has
        // a BNNeck head) it is the backbone of a re-ID model below.
        if let path = BackboneRegistry.onnxPath(spec), weights == nil {
            let graph = try ONNXGraph(path: path)
            graph.eval()
            graph.requiresGrad(false)
            try graph.to(device)
            let run: (Tensor) throws -> Tensor = { x in try precision.run { try graph(x) }.to(.float32) }
            let script = TracedInference(run)
            return LoadedModel(name: spec, module: graph, report: nil) { traced ? try script($0) : try run($0) }
        }
        // A training run (`run:DIR`): its own architecture and head, its checkpoint (or `weights`).
        if let directory = RunModel.directory(of: spec) {
            let run = try RunModel(directory: directory, checkpoint: weights ?? "best")
            let model = try run.model()
            model.precision = precision
            try model.to(device)
            let script = TracedInference { try model($0).embedding }
            return LoadedModel(name: spec, module: model, report: nil) { traced ? try script($0) : try model($0).embedding }
        }
        let model = try ReIDModel(backbone: spec)
        var report: WeightsLoadReport? = nil
        if let weights { report = try model.loadWeights(from: weights, usage: .inference) }
        model.eval()
        model.requiresGrad(false)
        model.precision = precision
        try model.to(device)
        let script = TracedInference { try model($0).embedding }
        return LoadedModel(name: spec, module: model, report: report) { traced ? try script($0) : try model($0).embedding }
    }
}
