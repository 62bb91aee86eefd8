namespace Mesh.Engine.Inference;

/// <summary>
/// One step's worth of rows for the model: prompt chunks being prefilled and one token per decoding sequence,
/// side by side. The scheduler refills the same instance every step, so a step allocates nothing.
/// </summary>
public sealed class ForwardBatch
{
    public ForwardBatch(int maxRows)
    {
        MaxRows = maxRows;
        Tokens = new int[maxRows];
        Positions = new int[maxRows];
        WriteKv = new bool[maxRows];
        BlockTables = new int[maxRows][];
        SampleRows = new int[maxRows];
        Sampling = new SamplingParameters[maxRows];
        SamplePositions = new int[maxRows];
    }

    public int MaxRows { get; }

    public int Rows { get; private set; }

    public int[] Tokens { get; }

    /// <summary>Each row's position in its sequence.</summary>
    public int[] Positions { get; }

    /// <summary>False for a row whose keys and values are already cached (a prompt served entirely from cache).</summary>
    public bool[] WriteKv { get; }

    /// <summary>Each row's sequence's block table.</summary>
    public int[][] BlockTables { get; }

    /// <summary>Rows whose output is sampled into a next token: the last row of each sequence in the batch that has caught up.</summary>
    public int SampleCount { get; private set; }

    public int[] SampleRows { get; }

    public SamplingParameters[] Sampling { get; }

    /// <summary>The position the sampled token will take; with the seed it fixes the random draw.</summary>
    public int[] SamplePositions { get; }

    /// <summary>Rows that compute new prompt keys and values (prefill work), as opposed to decode rows.</summary>
    public int PrefillRows { get; private set; }

    public int DecodeRows { get; private set; }

    public int RemainingRows => MaxRows - Rows;

    public void Clear()
    {
        Rows = 0;
        SampleCount = 0;
        PrefillRows = 0;
        DecodeRows = 0;
    }

    public void AddRow(int token, int position, bool writeKv, int[] blockTable, bool isDecode)
    {
        Tokens[Rows] = token;
        Positions[Rows] = position;
        WriteKv[Rows] = writeKv;
        BlockTables[Rows] = blockTable;
        Rows++;
        if (isDecode)
        {
            DecodeRows++;
        }
        else
        {
            PrefillRows++;
        }
    }

    /// <summary>Marks the last added row for sampling.</summary>
    public void SampleLastRow(SamplingParameters sampling)
    {
        SampleRows[SampleCount] = Rows - 1;
        Sampling[SampleCount] = sampling;
        SamplePositions[SampleCount] = Positions[Rows - 1] + 1;
        SampleCount++;
    }
}
