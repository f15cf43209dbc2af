// swift-tools-version:6.0
import PackageDescription

/// Debian 12 puts libtorch's C++ API headers below /usr/include/torch/csrc/api/include
/// and OpenCV 4 below /usr/include/opencv4. `scripts/bootstrap.sh` installs both.
let systemHeaders: [CXXSetting] = [
    .unsafeFlags([
        "-I/usr/include/torch/csrc/api/include",
        "-I/usr/include/opencv4",
        "-O2", "-Wno-deprecated-declarations",
    ]),
]

let nativeLibraries: [LinkerSetting] = [
    "torch", "torch_cpu", "c10",
    "opencv_core", "opencv_imgproc", "opencv_imgcodecs", "opencv_videoio", "opencv_objdetect",
    "onnx_proto", "protobuf",
    "faiss", "gomp", "blas", "lapack", "dnnl",
].map { LinkerSetting.linkedLibrary($0) }

let package = Package(
    name: "SwiftReID",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "reid", targets: ["reid"]),
        // `reid serve` runs this program (built next to `reid`): the HTTP service stays out of
        // `reid` so that `make demo` does not wait for Hummingbird and SwiftNIO to compile.
        .executable(name: "reid-serve", targets: ["reid-serve"]),
        .library(name: "ReID", targets: ["ReID"]),
        .library(name: "Torch", targets: ["Torch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    ],
    targets: [
        .target(
            name: "CTorch",
            // libonnx-dev ships only the ONNX_ML variant of the generated protobuf headers.
            cxxSettings: systemHeaders + [.define("ONNX_ML", to: "1")],
            linkerSettings: nativeLibraries
        ),
        .target(name: "Torch", dependencies: ["CTorch"]),
        .target(
            name: "ReID",
            dependencies: [
                "Torch",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The gallery index (SQLite through GRDB + a faiss index file) and the HTTP service, kept
        // out of ReID so the core library depends on neither GRDB nor Hummingbird.
        .target(
            name: "ReIDGallery",
            dependencies: ["ReID", "Torch", "CTorch", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "ReIDService",
            dependencies: ["ReIDGallery", "ReID", "Torch", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdCore", package: "hummingbird"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                           .product(name: "HTTPTypes", package: "swift-http-types")]
        ),
        // The command-line options that `reid` and `reid-serve` share (--device, --run).
        .target(
            name: "ReIDCommandOptions",
            dependencies: ["ReID", "Torch", "ReIDGallery",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "reid",
            dependencies: [
                "ReID", "Torch", "ReIDGallery", "ReIDCommandOptions",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "reid-serve",
            dependencies: [
                "ReID", "Torch", "ReIDGallery", "ReIDService", "ReIDCommandOptions",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "TorchTests", dependencies: ["Torch", "CTorch", "ReIDTestSupport"]),
        // Helpers shared by the test targets (the `reid` binary runner, the fuzz PRNG and reports).
        .target(name: "ReIDTestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ReIDTests", dependencies: ["ReID", "Torch", "ReIDTestSupport"]),
        .testTarget(
            name: "GalleryTests",
            dependencies: ["ReIDGallery", "ReIDService", "ReID", "Torch", "ReIDTestSupport",
                           .product(name: "HummingbirdTesting", package: "hummingbird"),
                           .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "HTTPTypes", package: "swift-http-types")],
            // XCTestCase is not Sendable; the router test client's closures capture the test case.
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ],
    cxxLanguageStandard: .cxx17
)
