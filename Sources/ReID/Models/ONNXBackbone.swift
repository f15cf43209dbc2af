import Torch

/// An imported ONNX graph used as a backbone (`onnx:PATH`): its weights train like any other
/// module's. A graph that already ends in an embedding [N, D] (like the shared OSNet) yields a
/// 1×1 "map" [N, D, 1, 1], so the usual pooling, BNNeck and classifier sit on top of it; models
/// with part features cut the graph at its global pooling instead (`spatialMap`).
public final class ONNXBackbone: Backbone, TrainingModeAware {
    public let graph: ONNXGraph
    public let featureChannels: Int
    /// Whether the graph ends in an embedding [N, D] (shown to the head as [N, D, 1, 1]).
    public let producesEmbedding: Bool

    public var isTraining: Bool {
        get { graph.isTraining }
        set { graph.isTraining = newValue }
    }

    public var namedChildren: [(name: String, module: any Module)] { [("graph", graph)] }

    /// `spatialMap`: a graph that pools to an embedding is cut at its last global pooling, so the
    /// backbone returns the spatial map (what part features are cut from); the layers after the
    /// pooling (an embedding fc, say) are left out, and the head pools the map itself.
    public init(path: String, spatialMap: Bool = false) throws {
        var contents = try ONNXFile.read(path)
        if spatialMap {
            guard let map = contents.lastPooledMap else {
                throw ReIDError.model("\(path): no GlobalAveragePool (or spatial ReduceMean) to cut the graph at; "
                    + "part features need a network whose spatial map can be reached")
            }
            contents = try contents.cut(at: map)
        }
        let graph = try ONNXGraph(contents: contents, source: path)
        // The output width, from one tiny forward pass in eval mode.
        let wasTraining = graph.isTraining
        graph.isTraining = false
        let probe = try withNoGrad { try graph(Tensor.zeros([1, 3, 256, 128])) }
        graph.isTraining = wasTraining
        self.graph = graph
        guard probe.rank == 2 || probe.rank == 4 else {
            throw ReIDError.model("\(path): the graph's output has shape \(probe.shape); a backbone needs [N, D] or [N, C, H, W]")
        }
        featureChannels = probe.size(1)
        producesEmbedding = probe.rank == 2
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let y = try graph(x)
        return y.rank == 2 ? try y.view([y.size(0), y.size(1), 1, 1]) : y
    }
}
