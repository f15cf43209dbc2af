import Foundation
import Torch

// ONNX export of the re-ID models: each module writes its evaluation-mode forward pass, with
// its weights under the module path (`backbone.conv1.weight`…).

extension OSNetConvBN: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        let y = try graph.apply(bn, graph.apply(conv, input, name: name + ".conv"), name: name + ".bn")
        return relu ? graph.node("Relu", [y], name: name + ".relu") : y
    }
}

extension LightConv3x3: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        var y = try graph.apply(conv1, input, name: name + ".conv1")
        y = try graph.apply(conv2, y, name: name + ".conv2")
        y = try graph.apply(bn, y, name: name + ".bn")
        return graph.node("Relu", [y], name: name + ".relu")
    }
}

extension ChannelGate: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        var g = graph.node("GlobalAveragePool", [input], name: name + ".pool")
        g = try graph.apply(fc1, g, name: name + ".fc1")
        g = graph.node("Relu", [g], name: name + ".relu")
        g = try graph.apply(fc2, g, name: name + ".fc2")
        g = graph.node("Sigmoid", [g], name: name + ".sigmoid")
        return graph.node("Mul", [input, g], name: name + ".scale")
    }
}

extension OSBlock: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        let x1 = try graph.apply(conv1, input, name: name + ".conv1")
        var fused = try graph.apply(gate, graph.apply(conv2a, x1, name: name + ".conv2a"), name: name + ".gate")
        for (stream, label) in [(conv2b, "conv2b"), (conv2c, "conv2c"), (conv2d, "conv2d")] {
            let gated = try graph.apply(gate, graph.apply(stream, x1, name: "\(name).\(label)"), name: name + ".gate")
            fused = graph.node("Add", [fused, gated], name: name + ".fuse")
        }
        let identity = try downsample.map { try graph.apply($0, input, name: name + ".downsample") } ?? input
        let out = graph.node("Add", [try graph.apply(conv3, fused, name: name + ".conv3"), identity], name: name + ".residual")
        return graph.node("Relu", [out], name: name + ".relu")
    }
}

extension OSNet: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        var y = try graph.apply(conv1, input, name: name + ".conv1")
        y = try graph.apply(maxpool, y, name: name + ".maxpool")
        for (stage, label) in [(conv2, "conv2"), (conv3, "conv3"), (conv4, "conv4")] {
            y = try graph.apply(stage, y, name: "\(name).\(label)")
        }
        return try graph.apply(conv5, y, name: name + ".conv5")
    }
}

extension InvertedResidual: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        let y = try graph.apply(conv, input, name: name + ".conv")
        return usesResidual ? graph.node("Add", [input, y], name: name + ".residual") : y
    }
}

extension MobileNetV2: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        try graph.apply(features, input, name: name + ".features")
    }
}

extension IBN: ONNXExportable {
    /// Split the channels, instance norm on the first `half`, batch norm on the rest, concatenate.
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        let sizes = try graph.constant(name + ".split", int64s: [Int64(half), Int64(BN.runningMean.size(0))])
        let a = graph.fresh(name + ".in_part"), b = graph.fresh(name + ".bn_part")
        graph.append(ONNXModel.Node("Split", name: name + ".split", inputs: [input, sizes], outputs: [a, b],
                                    attributes: [.init("axis", .int(1))]))
        let x = try graph.apply(IN, a, name: name + ".IN")
        let y = try graph.apply(BN, b, name: name + ".BN")
        return graph.node("Concat", [x, y], [.init("axis", .int(1))], name: name + ".concat")
    }
}

extension ResNetBottleneck: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        var y = try graph.apply(bn1, graph.apply(conv1, input, name: name + ".conv1"), name: name + ".bn1")
        y = graph.node("Relu", [y], name: name + ".relu1")
        y = try graph.apply(bn2, graph.apply(conv2, y, name: name + ".conv2"), name: name + ".bn2")
        y = graph.node("Relu", [y], name: name + ".relu2")
        y = try graph.apply(bn3, graph.apply(conv3, y, name: name + ".conv3"), name: name + ".bn3")
        let identity = try downsample.map { try graph.apply($0, input, name: name + ".downsample") } ?? input
        return graph.node("Relu", [graph.node("Add", [y, identity], name: name + ".residual")], name: name + ".relu")
    }
}

extension ResNet50: ONNXExportable {
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        var y = try graph.apply(bn1, graph.apply(conv1, input, name: name + ".conv1"), name: name + ".bn1")
        y = graph.node("Relu", [y], name: name + ".relu")
        y = try graph.apply(maxpool, y, name: name + ".maxpool")
        for (stage, label) in [(layer1, "layer1"), (layer2, "layer2"), (layer3, "layer3"), (layer4, "layer4")] {
            y = try graph.apply(stage, y, name: "\(name).\(label)")
        }
        return y
    }
}

extension ONNXBackbone: ONNXExportable {
    /// The imported graph with its trained weights; an embedding output is reshaped to
    /// [N, D, 1, 1], as the forward pass does, so the head's pooling and BNNeck follow unchanged.
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        let y = try graph.apply(self.graph, input, name: name + ".graph")
        guard producesEmbedding else { return y }
        return try embeddingAsMap(y, into: graph, name: name)
    }
}

/// An embedding [N, D] reshaped to the 1×1 map [N, D, 1, 1] the head pools, as the forward pass does.
func embeddingAsMap(_ value: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
    let shape = try graph.constant(name + ".map_shape", int64s: [0, -1, 1, 1])
    return graph.node("Reshape", [value, shape], name: name + ".map")
}

extension FeaturePooling: ONNXExportable {
    /// Global pooling to [N, C] (one stripe).
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        let pooled: String
        switch kind {
        case .average:
            pooled = graph.node("GlobalAveragePool", [input], name: name)
        case .max:
            pooled = graph.node("GlobalMaxPool", [input], name: name)
        case .gem:
            let p = try self.p ?? Tensor.full([1], 3)
            let floor = try graph.constant(name + ".eps", floats: [Float(eps)], shape: [])
            let clamped = graph.node("Max", [input, floor], name: name + ".clamp")
            let powered = graph.node("Pow", [clamped, try graph.initializer(name + ".p", p)], name: name + ".pow")
            let mean = graph.node("GlobalAveragePool", [powered], name: name + ".mean")
            pooled = graph.node("Pow", [mean, try graph.initializer(name + ".inverse_p", p.reciprocal())], name: name + ".root")
        }
        return graph.node("Flatten", [pooled], [.init("axis", .int(1))], name: name + ".flatten")
    }
}

extension ReIDModel: ONNXExportable {
    /// The inference embedding: the global feature after the BNNeck (`.full`), or the average-
    /// pooled backbone map (`.backboneOnly`). Part features are not exported.
    public func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String {
        let prefix = name.isEmpty ? "" : name + "."
        var map = try graph.apply(backbone, input, name: prefix + "backbone")
        if let tail = (backbone as? ONNXBackbone)?.embeddingTail {
            let embedded = try graph.apply(tail, map, name: prefix + "backbone.tail")
            map = try embeddingAsMap(embedded, into: graph, name: prefix + "backbone.tail")
        }
        switch mode {
        case .full:
            let pooled = try graph.apply(head.pool, map, name: prefix + "head.pool")
            return try graph.apply(head.bnneck, pooled, name: prefix + "head.bnneck")
        case .backboneOnly:
            let pooled = graph.node("GlobalAveragePool", [map], name: prefix + "pool")
            return graph.node("Flatten", [pooled], [.init("axis", .int(1))], name: prefix + "flatten")
        }
    }
}

/// Writes a re-ID model as an ONNX file (opset 13) taking `input` [batch, 3, height, width]
/// (ImageNet-normalised, batch dynamic) and giving `features` [batch, D].
public enum ModelONNXExport {
    @discardableResult
    public static func write(_ model: ReIDModel, height: Int, width: Int, to path: String) throws -> ONNXModel {
        model.eval()
        let graph = ONNXGraphBuilder()
        let input = graph.fresh("input")
        let output = try graph.apply(model, input, name: "")
        let onnx = graph.model(input: input, inputShape: [.param("batch"), .value(3), .value(Int64(height)), .value(Int64(width))],
                               output: output, outputName: "features",
                               outputShape: [.param("batch"), .value(Int64(model.featureDimension))])
        try ONNXFile.write(onnx, initializers: graph.initializers, attributeTensors: graph.attributeTensors, to: path)
        return onnx
    }
}
