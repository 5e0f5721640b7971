// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

// Linux only: ICMP/ARP sockets, /proc, prctl and systemd are what the core is made of.
let package = Package(
    name: "NightShift",
    products: [
        .executable(name: "nightshift", targets: ["nightshift"]),
        .library(name: "LuaBinding", targets: ["LuaBinding"]),
        .library(name: "NightShiftBase", targets: ["NightShiftBase"]),
        .library(name: "NightShiftCore", targets: ["NightShiftCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        // The Prometheus text exposition for `settings.metrics` (pulls only swift-atomics and swift-metrics).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Layer 0: the system Lua 5.4 (apt: liblua5.4-dev) and a C shim for its macros
        // and for the one trampoline through which every Swift function is called.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        .target(name: "CLuaShim", dependencies: ["CLua"]),

        // Layer 1: a generic, safe Swift binding for Lua. Knows nothing of NightShift.
        .target(name: "LuaBinding", dependencies: ["CLua", "CLuaShim"], swiftSettings: strict),

        // libcurl for HTTP, opened with dlopen on the first request (no link-time dependency).
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl")]),

        // Layer 2a: the pure half of the core: parsers, formats, schedule math, reply decoders.
        // No I/O, no SwiftPM dependency: the fuzzers build this folder as it is.
        .target(name: "NightShiftBase", swiftSettings: strict),

        // Layer 2: mechanism. Knows no Lua.
        .target(
            name: "NightShiftCore",
            dependencies: [
                "NightShiftBase",
                "CCurl",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),

        // Layer 3: the `nightshift` Lua module and the embedded Lua standard library.
        .target(
            name: "NightShiftScripting",
            dependencies: ["LuaBinding", "NightShiftBase", "NightShiftCore"],
            swiftSettings: strict,
            plugins: ["EmbedLua"]
        ),

        // Layer 4: the thin executable.
        .executableTarget(
            name: "nightshift",
            dependencies: [
                "NightShiftScripting", "NightShiftCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict,
            // Embeds Stub/nightshift.d.lua (a link to docs/nightshift.d.lua) for `nightshift api`.
            plugins: ["EmbedLua"]
        ),

        // The per-cycle script load, timed in-process for scripts/bench (not shipped).
        .executableTarget(
            name: "nightshift-load-bench",
            dependencies: ["NightShiftScripting", "NightShiftCore"],
            path: "Benchmarks/LoadBench",
            swiftSettings: strict
        ),

        // Build-time tool + plugin that compile the Lua standard library into the binary.
        .executableTarget(name: "EmbedLuaTool", dependencies: ["CLua"], swiftSettings: strict),
        .plugin(name: "EmbedLua", capability: .buildTool(), dependencies: ["EmbedLuaTool"]),

        .testTarget(name: "LuaBindingTests", dependencies: ["LuaBinding"], swiftSettings: strict),
        .testTarget(name: "NightShiftCoreTests", dependencies: ["NightShiftBase", "NightShiftCore"], swiftSettings: strict),
        .testTarget(
            name: "NightShiftScriptingTests",
            dependencies: ["NightShiftScripting", "NightShiftCore", "LuaBinding"],
            swiftSettings: strict
        ),
    ]
)
