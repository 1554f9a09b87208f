/// The thin shell wrapper that turns KFP's output-file convention into Sextant's outputs JSON.
///
/// A KFP container writes each output parameter to the file named by
/// `{{$.outputs.parameters['y'].output_file}}` and each output artifact to
/// `{{$.outputs.artifacts['m'].path}}`. The converted step runs
/// `sh -c WRAPPER sextant-kfp <original command and args>`: the wrapper makes a fresh per-attempt
/// directory (`$SEXTANT_KFP_ROOT`, default `${TMPDIR:-/tmp}/sextant-kfp`, then
/// `<pipeline>/<step>-<attempt>`), puts its path where the converted arguments carry
/// `@@SEXTANT_KFP_DIR@@`, runs the original command, and when it succeeds writes
/// `{"artifacts": {y: <contents of y>, m: <path of m>}}` to `$SEXTANT_OUTPUTS_PATH` (values are
/// JSON-escaped; one trailing newline of a parameter file is dropped). An output the command did
/// not write is left out, so the controller fails the attempt with `MissingOutputs`.
enum KFPOutputsWrapper {
    /// The name the wrapper runs under (`$0` of the script).
    static let scriptName = "sextant-kfp"

    /// The wrapper script for a step with these outputs (names are KFP identifiers).
    static func script(parameters: [String], artifacts: [String]) -> String {
        let paramList = parameters.map(shellWord).joined(separator: " ")
        let artifactList = artifacts.map(shellWord).joined(separator: " ")
        var loopLines: [String] = []
        if !parameters.isEmpty {
            loopLines.append(#"""
              for k in \#(paramList); do
                [ -f "$d/params/$k" ] || continue
                printf '%s"%s":"' "$s" "$k"; j < "$d/params/$k"; printf '"'; s=,
              done
            """#)
        }
        if !artifacts.isEmpty {
            loopLines.append(#"""
              for k in \#(artifactList); do
                [ -e "$d/artifacts/$k" ] || continue
                printf '%s"%s":"' "$s" "$k"; printf '%s' "$d/artifacts/$k" | j; printf '"'; s=,
              done
            """#)
        }
        let loops = loopLines.joined(separator: "\n")
        return #"""
        d="${SEXTANT_KFP_ROOT:-${TMPDIR:-/tmp}/sextant-kfp}/${SEXTANT_PIPELINE:-run}/${SEXTANT_STEP:-step}-${SEXTANT_ATTEMPT:-0}"
        rm -rf "$d" && mkdir -p "$d/params" "$d/artifacts" || exit 1
        n=$#
        while [ "$n" -gt 0 ]; do
          a=$1; shift; n=$((n-1))
          case $a in *\#(kfpOutputsDirMarker)*) a=$(printf '%s' "$a" | sed "s|\#(kfpOutputsDirMarker)|$d|g");; esac
          set -- "$@" "$a"
        done
        "$@" || exit $?
        j() { awk '{ if (NR>1) printf "\\n"; for (i=1;i<=length($0);i++) { c=substr($0,i,1); if (c=="\\") printf "\\\\"; else if (c=="\"") printf "\\\""; else if (c=="\t") printf "\\t"; else if (c=="\r") printf "\\r"; else printf "%s", c } }'; }
        {
          printf '{"artifacts":{'
          s=
        \#(loops)
          printf '}}'
        } > "$SEXTANT_OUTPUTS_PATH"
        """#
    }

    /// A name as one shell word (KFP names are identifiers; anything else is single-quoted).
    static func shellWord(_ name: String) -> String {
        let safe = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        return safe ? name : "'" + name.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
