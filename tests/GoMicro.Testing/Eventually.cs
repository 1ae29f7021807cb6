namespace GoMicro.Testing;

/// <summary>Waits for a state that arrives asynchronously (an event consumed, a dependency back), within a bound.</summary>
public static class Eventually
{
    public static async Task UntilAsync(Func<Task<bool>> condition, int seconds = 30, string what = "condition")
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} not reached within {seconds} s");
            }
            await Task.Delay(100);
        }
    }
}
