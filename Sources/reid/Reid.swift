import ArgumentParser
import ReID
import Torch

@main
struct Reid: ParsableCommand {
    /// Restarts with OpenBLAS's widest kernels first where Debian's OpenBLAS picked narrow ones
    /// (`BLASKernels`), then parses and runs the command.
    static func main() {
        BLASKernels.relaunchWithWidestKernelsIfNeeded()
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "reid",
        abstract: "SwiftReID: person re-identification on libtorch — extract, evaluate, train, search.",
        discussion: """
            Person re-identification finds the same person again across cameras that do not overlap.
            Each subcommand has its own --help with examples.

            Cameras: every camera number SwiftReID prints or takes (--query-camera,
            the `camera` field of the HTTP API, dataset inspect's c0, c1 …) is
            0-based: the first camera is 0, so c1 in a Market-1501 file name and a
            cam1/ (c1/, camera_01/) folder are camera 0, c2 and cam2/ camera 1.

            Weights may be .safetensors (SwiftReID's format), PyTorch .pth state dicts, or ONNX.
            Shared test data and golden values live in ../shared (or $REID_SHARED).
            """,
        version: ReIDVersion.string,
        subcommands: [DatasetCommand.self, Synth.self, Tracklets.self, Extract.self, Evaluate.self, Cluster.self, Train.self, Bench.self,
                      ViewsCommand.self, Ablation.self, GeneratorCommand.self,
                      IndexCommand.self, Search.self, Serve.self, Export.self]
    )
}
