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
    /// With `keepEmbedding`: the graph's layers after the cut (pooling, the trained embedding fc…),
    /// run on the map for the global feature, so a model with parts keeps the network's own
    /// embedding instead of a fresh one on the pooled map.
    public let embeddingTail: ONNXGraph?
    /// The width of `embeddingTail`'s output.
    public let embeddingChannels: Int?

    public var isTraining: Bool {
        get { graph.isTraining }
        set {
            graph.isTraining = newValue
            embeddingTail?.isTraining = newValue
        }
    }

    public var namedChildren: [(name: String, module: any Module)] {
        [("graph", graph)] + (embeddingTail.map { [("tail", $0 as any Module)] } ?? [])
    }

    /// `spatialMap`: a graph that pools to an embedding is cut at its last global pooling, so the
    /// backbone returns the spatial map (what part features are cut from); the layers after the
    /// pooling (an embedding fc, say) are left out, and the head pools the map itself, unless
    /// `keepEmbedding` keeps them as `embeddingTail` (when they depend on the map alone).
    public init(path: String, spatialMap: Bool = false, keepEmbedding: Bool = false) throws {
        let full = try ONNXFile.read(path)
        var contents = full
        var tailContents: ONNXFile.Contents?
        if spatialMap {
            guard let map = contents.lastPooledMap else {
                throw ReIDError.model("\(path): no GlobalAveragePool (or spatial ReduceMean) to cut the graph at; "
                    + "part features need a network whose spatial map can be reached")
            }
            contents = try contents.cut(at: map)
            if keepEmbedding { tailContents = full.tail(from: map) }
        }
        let graph = try ONNXGraph(contents: contents, source: path)
        let tail = try tailContents.map { try ONNXGraph(contents: $0, source: path + " (after its last pooling)") }
        // The output widths, from one tiny forward pass in eval mode.
        graph.isTraining = false
        tail?.isTraining = false
        let probe = try withNoGrad { try graph(Tensor.zeros([1, 3, 256, 128])) }
        let embedded = try tail.map { t in try withNoGrad { try t(probe) } }
        graph.isTraining = true
        tail?.isTraining = true
        self.graph = graph
        guard probe.rank == 2 || probe.rank == 4 else {
            throw ReIDError.model("\(path): the graph's output has shape \(probe.shape); a backbone needs [N, D] or [N, C, H, W]")
        }
        featureChannels = probe.size(1)
        producesEmbedding = probe.rank == 2
        if let embedded, embedded.rank == 2 {
            embeddingTail = tail
            embeddingChannels = embedded.size(1)
        } else {
            embeddingTail = nil
            embeddingChannels = nil
        }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let y = try graph(x)
        return y.rank == 2 ? try y.view([y.size(0), y.size(1), 1, 1]) : y
    }

    /// The global feature map the head pools: the map itself, or the kept embedding as [N, D, 1, 1].
    public func globalMap(_ map: Tensor) throws -> Tensor {
        guard let embeddingTail else { return map }
        let y = try embeddingTail(map)
        return try y.view([y.size(0), y.size(1), 1, 1])
    }
}
