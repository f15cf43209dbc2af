import Foundation
import XCTest
@testable import ReID
import Torch

final class DatasetLoaderTests: XCTestCase {
    var fx: DatasetFixture!

    override func setUpWithError() throws { fx = try DatasetFixture() }
    override func tearDownWithError() throws { fx.remove() }

    /// A small Market-1501 folder: two training ids, junk and a distractor.
    func writeMarket(at base: String = "") throws {
        let p = base.isEmpty ? "" : base + "/"
        try fx.images([
            p + "bounding_box_train/0002_c1s1_000451_03.jpg", p + "bounding_box_train/0002_c2s1_000301_01.jpg",
            p + "bounding_box_train/0007_c3s1_000101_00.jpg", p + "bounding_box_train/-1_c1s1_000401_03.jpg",
            p + "query/0002_c1s1_000451_01.jpg", p + "query/0009_c6s2_000001_00.jpg",
            p + "bounding_box_test/0002_c6s1_000001_00.jpg", p + "bounding_box_test/0009_c2s1_000010_00.jpg",
            p + "bounding_box_test/0000_c2s1_000002_00.jpg", p + "bounding_box_test/-1_c1s1_000003_00.jpg",
        ])
    }

    func testMarketDropsJunkKeepsDistractorsAndRelabels() throws {
        try writeMarket()
        let data = try Market1501(root: fx.root)
        XCTAssertEqual(data.train.count, 3, "the junk training image is dropped")
        XCTAssertEqual(data.query.count, 2)
        XCTAssertEqual(data.gallery.count, 3, "junk dropped, the pid-0 distractor kept")
        XCTAssertEqual(data.gallery.filter { $0.pid == 0 }.count, 1)
        XCTAssertFalse((data.train + data.query + data.gallery).contains { $0.pid == -1 })
        // Cameras are 0-based: c1 → 0, c6 → 5.
        XCTAssertEqual(data.query.map(\.camera).sorted(), [0, 5])
        XCTAssertEqual(Set(data.train.map(\.camera)), [0, 1, 2])
        // Training pids 2 and 7 become labels 0 and 1; the original pid stays.
        let labelOf = Dictionary(data.train.map { ($0.pid, $0.label) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(labelOf, [2: 0, 7: 1])
        XCTAssertTrue(data.query.allSatisfy { $0.label == -1 })
        XCTAssertEqual(data.ids, 2)
        XCTAssertEqual(data.cameras, 4)
        XCTAssertEqual(data.statistics(.gallery).distractors, 1)
        XCTAssertEqual(try DatasetLayout.detect(fx.root), .market)
        XCTAssertTrue(data.issues.isEmpty, "\(data.issues)")
        // The old entry point still reads the same folders.
        XCTAssertEqual(try MarketDataset(root: fx.root)[.gallery].count, 3)
    }

    func testDukeNamesAreDetectedAndRead() throws {
        try fx.images(["bounding_box_train/0005_c2_f0046985.jpg", "bounding_box_train/0005_c8_f0047000.jpg",
                       "query/0011_c1_f0000001.jpg", "bounding_box_test/0011_c5_f0000100.jpg"])
        XCTAssertEqual(try DatasetLayout.detect(fx.root), .duke)
        let data = try DatasetLayout.load(fx.root)
        XCTAssertTrue(data is DukeMTMCReID)
        XCTAssertEqual(data.name, "DukeMTMC-reID")
        XCTAssertEqual(data.train.map(\.camera).sorted(), [1, 7])
        XCTAssertEqual(data.train.map(\.label), [0, 0])
    }

    func testFormatOverridesDetectionAndAWrongFormatSaysWhatItExpected() throws {
        try writeMarket()
        XCTAssertEqual(try DatasetLayout(format: "duke"), .duke)
        XCTAssertEqual(try DatasetLayout.load(fx.root, format: .duke).name, "DukeMTMC-reID")
        let wrong = message { try DatasetLayout.load(self.fx.root, format: .msmt17) }
        XCTAssertTrue(wrong.contains(fx.root) && wrong.contains("list_train.txt") && wrong.contains("--format market"), wrong)
        let cuhk = message { try DatasetLayout.load(self.fx.root, format: .cuhk03Detected) }
        XCTAssertTrue(cuhk.contains("detected/") && cuhk.contains("--format market"), cuhk)
        let unknown = message { try DatasetLayout(format: "market1502") }
        XCTAssertTrue(unknown.contains("market1502") && unknown.contains("cuhk03-labeled"), unknown)
        // A folder of other things is not in the Market layout.
        let other = try DatasetFixture("reid-other")
        defer { other.remove() }
        try other.text("notes.txt", "hello")
        let notMarket = message { try Market1501(root: other.root) }
        XCTAssertTrue(notMarket.contains("bounding_box_train/") && notMarket.contains("notes.txt"), notMarket)
        let undetected = message { try DatasetLayout.detect(other.root) }
        XCTAssertTrue(undetected.contains("not a dataset") && undetected.contains("msmt17"), undetected)
    }

    func testMissingQueryFolderIsAnErrorButMissingTrainIsANote() throws {
        try fx.images(["bounding_box_train/0002_c1s1_000451_03.jpg", "bounding_box_test/0002_c2s1_000451_03.jpg"])
        let text = message { try Market1501(root: self.fx.root) }
        XCTAssertTrue(text.contains(fx.root) && text.contains("no query/ folder"), text)

        let testOnly = try DatasetFixture("reid-testonly")
        defer { testOnly.remove() }
        try testOnly.images(["query/0002_c1s1_000451_03.jpg", "bounding_box_test/0002_c2s1_000451_03.jpg"])
        let data = try Market1501(root: testOnly.root)
        XCTAssertTrue(data.train.isEmpty)
        XCTAssertEqual(data.issues.map(\.kind), [.note])
        // Asking for the train split explicitly makes it required.
        let required = message { try Market1501(root: testOnly.root, options: DatasetOptions(optionalSplits: [])) }
        XCTAssertTrue(required.contains("bounding_box_train/"), required)
    }

    func testMisnamedFileNamesTheFileOrIsCollectedWhenLenient() throws {
        try writeMarket()
        try fx.image("query/holiday.jpg")
        let text = message { try Market1501(root: self.fx.root) }
        XCTAssertTrue(text.contains("query/holiday.jpg") && text.contains("{pid}_c{camera}"), text)
        let lenient = try Market1501(root: fx.root, options: DatasetOptions(strict: false))
        XCTAssertEqual(lenient.query.count, 2)
        XCTAssertEqual(lenient.issues.map(\.kind), [.misnamed])
        XCTAssertTrue(lenient.issues[0].path.hasSuffix("holiday.jpg"))
    }

    func testEmptySplitIsAnError() throws {
        try fx.images(["bounding_box_train/0002_c1s1_000451_03.jpg", "query/-1_c1s1_000451_03.jpg",
                       "bounding_box_test/0002_c2s1_000451_03.jpg"])
        let text = message { try Market1501(root: self.fx.root) }
        XCTAssertTrue(text.contains("query") && text.contains("empty") && text.contains("junk"), text)
        try fx.folder("empty/bounding_box_train")
        try fx.folder("empty/query")
        try fx.folder("empty/bounding_box_test")
        let none = message { try Market1501(root: self.fx.root + "/empty") }
        XCTAssertTrue(none.contains("contains no images"), none)
    }

    func testMSMT17ListsCamerasFromNamesAndValidationOnRequest() throws {
        let base = "MSMT17_V1"
        try fx.images([
            base + "/train/0000/0000_000_01_0303morning_0015_0.jpg", base + "/train/0000/0000_001_05_0303morning_0016_0.jpg",
            base + "/train/0001/0001_000_15_0303noon_0001_0.jpg",
            base + "/test/0000/0000_000_02_0303morning_0001_0.jpg", base + "/test/0000/0000_003_03_0303noon_0002_0.jpg",
        ])
        try fx.text(base + "/list_train.txt", """
            0000/0000_000_01_0303morning_0015_0.jpg 0
            0000/0000_001_05_0303morning_0016_0.jpg 0

            """)
        try fx.text(base + "/list_val.txt", "0001/0001_000_15_0303noon_0001_0.jpg 1\n")
        try fx.text(base + "/list_query.txt", "0000/0000_000_02_0303morning_0001_0.jpg 0\n")
        try fx.text(base + "/list_gallery.txt", "0000/0000_003_03_0303noon_0002_0.jpg 0\n")
        XCTAssertEqual(try DatasetLayout.detect(fx.root), .msmt17, "found through MSMT17_V1/ below the root")
        let data = try MSMT17(root: fx.root)
        XCTAssertEqual(data.train.map(\.camera), [0, 4])
        XCTAssertEqual(data.query.map(\.camera), [1])
        XCTAssertEqual(data.gallery.map(\.camera), [2])
        XCTAssertTrue(data.gallery[0].path.hasSuffix("MSMT17_V1/test/0000/0000_003_03_0303noon_0002_0.jpg"))
        XCTAssertEqual(data.ids, 1)
        let withVal = try MSMT17(root: fx.root + "/" + base, options: DatasetOptions(includeValidation: true))
        XCTAssertEqual(withVal.train.count, 3)
        XCTAssertEqual(withVal.train.map(\.label), [0, 0, 1])
        XCTAssertEqual(withVal.train.last?.camera, 14)

        try fx.text(base + "/list_query.txt", "0000/0000_000_02_0303morning_0001_0.jpg 0\nnot-a-line\n")
        let bad = message { try MSMT17(root: self.fx.root) }
        XCTAssertTrue(bad.contains("list_query.txt:2") && bad.contains("path.jpg pid"), bad)
        try fx.text(base + "/list_query.txt", "0000/0000_000_02_0303morning_0009_0.jpg 0\n")
        let missing = message { try MSMT17(root: self.fx.root) }
        XCTAssertTrue(missing.contains("0009_0.jpg") && missing.contains("missing"), missing)
    }

    func testCUHK03NPPicksLabeledOrDetected() throws {
        try fx.images(["labeled/bounding_box_train/0001_c1_1.png", "labeled/bounding_box_train/0001_c2_2.png",
                       "labeled/query/0700_c1_1.png", "labeled/bounding_box_test/0700_c2_1.png",
                       "detected/bounding_box_train/0001_c1_1.png", "detected/query/0700_c1_1.png",
                       "detected/bounding_box_test/0700_c2_1.png", "detected/bounding_box_test/0701_c2_1.png"])
        XCTAssertEqual(try DatasetLayout.detect(fx.root), .cuhk03Labeled)
        let labeled = try DatasetLayout.load(fx.root)
        XCTAssertEqual(labeled.train.count, 2)
        XCTAssertEqual(labeled.name, "CUHK03-NP (labeled)")
        let detected = try DatasetLayout.load(fx.root, format: DatasetLayout(format: "cuhk03-detected"))
        XCTAssertEqual(detected.gallery.count, 2)
        XCTAssertTrue(detected.gallery.allSatisfy { $0.path.contains("/detected/") })
        XCTAssertEqual(detected.cameras, 2)
        XCTAssertEqual(try CUHK03NP(root: fx.root + "/detected", variant: .detected).gallery.count, 2)
    }

    func testCSVManifestResolvesRelativePathsAndChecksLines() throws {
        try fx.images(["images/a/alice_1.png", "images/a/alice_2.png", "images/b/bob_1.png", "images/b/bob_2.png",
                       "images/b/carol_1.png"])
        let absolute = fx.root + "/images/b/bob_2.png"
        try fx.text("lists/manifest.csv", """
            path,pid,camera,split
            ../images/a/alice_1.png,7,0,train
            ../images/a/alice_2.png,7,1,train
            ../images/b/carol_1.png,-1,1,train
            "../images/b/bob_1.png",12,0,query
            \(absolute),12,1,gallery
            ../images/b/carol_1.png,-1,1,gallery

            """)
        let csv = fx.root + "/lists/manifest.csv"
        XCTAssertEqual(try DatasetLayout.detect(csv), .csv)
        XCTAssertEqual(try DatasetLayout.detect(fx.root + "/lists"), .csv, "a folder holding one manifest")
        let data = try CSVManifest(path: csv)
        XCTAssertEqual(data.train.count, 3, "pid −1 stays in train as unlabeled")
        XCTAssertEqual(data.train.map(\.label), [0, 0, -1])
        XCTAssertEqual(data.train[0].path, fx.root + "/lists/../images/a/alice_1.png")
        XCTAssertTrue(FileManager.default.fileExists(atPath: data.query[0].path))
        XCTAssertEqual(data.gallery.count, 1, "pid −1 is dropped from the gallery")
        XCTAssertEqual(data.gallery[0].path, absolute)
        XCTAssertEqual(data.gallery[0].camera, 1)

        try fx.text("lists/manifest.csv", "path,pid,camera,split\n../images/a/alice_1.png,7,0,validation\n")
        let badSplit = message { try CSVManifest(path: csv) }
        XCTAssertTrue(badSplit.contains("manifest.csv:2") && badSplit.contains("validation"), badSplit)
        try fx.text("lists/manifest.csv", "file,id,cam,set\n")
        let badHeader = message { try CSVManifest(path: csv) }
        XCTAssertTrue(badHeader.contains("path") && badHeader.contains("header"), badHeader)
        try fx.text("lists/manifest.csv", "path,pid,camera,split\n../images/a/nobody.png,7,0,train\n")
        let missing = message { try CSVManifest(path: csv) }
        XCTAssertTrue(missing.contains("nobody.png") && missing.contains("manifest.csv:2"), missing)
    }

    /// Unlabeled crops listed by path and camera: no pid or split column needed.
    func testCSVManifestOfUnlabeledCropsNeedsOnlyPathAndCamera() throws {
        try fx.images(["shots/a.png", "shots/b.png", "shots/c.png"])
        try fx.text("crops.csv", "path,camera\nshots/a.png,0\nshots/b.png,1\n\"shots/c.png\",1\n")
        let csv = fx.root + "/crops.csv"
        XCTAssertEqual(try DatasetLayout.detect(csv), .csv)
        let data = try DatasetLayout.load(csv)
        XCTAssertEqual(data.train.count, 3)
        XCTAssertTrue(data.train.allSatisfy { $0.pid == -1 && $0.label == -1 }, "ids unknown")
        XCTAssertEqual(data.train.map(\.camera), [0, 1, 1])
        XCTAssertEqual(data.cameras, 2)
        XCTAssertTrue(data.query.isEmpty && data.gallery.isEmpty)
        try fx.text("crops.csv", "path,split\nshots/a.png,train\n")
        let neither = message { try CSVManifest(path: csv) }
        XCTAssertTrue(neither.contains("'pid' and 'camera'"), neither)
    }

    func testUnlabeledFolderIsRecursiveWithCamerasFromNames() throws {
        try fx.images(["day1/0001_c3s1_000001_00.jpg", "day1/deep/frame_17.png", "crop.png"])
        XCTAssertEqual(try DatasetLayout.detect(fx.root), .folder)
        let data = try UnlabeledFolder(root: fx.root)
        XCTAssertEqual(data.train.count, 3)
        XCTAssertTrue(data.train.allSatisfy { $0.pid == -1 && $0.label == -1 })
        XCTAssertEqual(data.train.first { $0.name.hasPrefix("0001") }?.camera, 2)
        XCTAssertEqual(data.train.first { $0.name == "frame_17.png" }?.camera, 0)
        XCTAssertEqual(data.ids, 0)
        XCTAssertTrue(data.query.isEmpty && data.gallery.isEmpty)
    }

    func testUnlabeledFolderTakesCamerasFromCameraFolders() throws {
        try fx.images(["crops/cam1/a.png", "crops/cam1/track7/b.png", "crops/c2/c.png", "crops/camera_03/d.png",
                       "crops/Cam-4/e.png", "crops/cameras/f.png", "crops/cam2/0001_c5s1_000001_00.jpg"])
        let data = try UnlabeledFolder(root: fx.root + "/crops")
        func camera(_ name: String) -> Int? { data.train.first { $0.name == name }?.camera }
        XCTAssertEqual([camera("a.png"), camera("b.png"), camera("c.png"), camera("d.png"), camera("e.png")], [0, 0, 1, 2, 3])
        XCTAssertEqual(camera("f.png"), 0, "'cameras' is not a camera folder")
        XCTAssertEqual(camera("0001_c5s1_000001_00.jpg"), 4, "a Market name's camera wins over its folder")
        XCTAssertEqual(Set(data.train.map(\.camera)).count, 5)
        for name in ["cam", "c", "cam0", "camx", "cam1a", "recam1", "c１"] { XCTAssertNil(CameraFolderName.camera(name), name) }
    }

    func testImageHeadersGiveSizesAndRejectBrokenFiles() throws {
        let png = try fx.image("a.png", height: 12, width: 5)
        let jpg = try fx.image("b.jpg", height: 7, width: 9)
        let bmp = try fx.image("c.bmp", height: 3, width: 4)
        XCTAssertEqual(try ImageHeader(contentsOf: png), ImageHeader(format: .png, width: 5, height: 12))
        XCTAssertEqual(try ImageHeader(contentsOf: jpg), ImageHeader(format: .jpeg, width: 9, height: 7))
        XCTAssertEqual(try ImageHeader(contentsOf: bmp), ImageHeader(format: .bmp, width: 4, height: 3))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: jpg))
        bytes = bytes.prefix(20) + Data(repeating: 0x55, count: 100)
        try bytes.write(to: URL(fileURLWithPath: fx.root + "/broken.jpg"))
        XCTAssertTrue(message { try ImageHeader(contentsOf: self.fx.root + "/broken.jpg") }.contains("corrupt"))
        try fx.text("text.jpg", "hello")
        XCTAssertTrue(message { try ImageHeader(contentsOf: self.fx.root + "/text.jpg") }.contains("not a JPEG"))
        try fx.text("empty.png", "")
        XCTAssertTrue(message { try ImageHeader(contentsOf: self.fx.root + "/empty.png") }.contains("empty"))
    }

    func testInspectionCollectsMisnamedAndUnreadableFiles() throws {
        try writeMarket()
        try fx.image("query/holiday.jpg")
        try fx.text("bounding_box_test/0003_c1s1_000001_00.jpg", "not an image")
        let report = try DatasetInspection.inspect(fx.root)
        XCTAssertEqual(report.format, "market")
        XCTAssertEqual(report.misnamed, 1)
        XCTAssertEqual(report.unreadable, 1)
        XCTAssertEqual(report.gallery.images, 4)
        XCTAssertEqual(report.trainIDs, 2)
        XCTAssertEqual(Set(report.issues.map(\.kind)), [.misnamed, .unreadable])
        let decoded = try DatasetInspection.inspect(fx.root, format: .market, decode: true)
        XCTAssertEqual(decoded.unreadable, 1)
        XCTAssertEqual(decoded.imageCheck, "decode")
    }
}
