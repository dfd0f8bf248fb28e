namespace Marketplace.Chat.Sample.Shop;

/// <summary>
/// The marketplace's endpoints under <c>/api</c>, one file per resource: listings, orders, disputes, people. Where a step
/// matters to the chat (buy, cancel, complete, dispute, resolve) the endpoint checks who may do it and hands the change to
/// <see cref="Chat.OrderChat"/>, which writes the order and tells the chat so that the two never disagree.
/// </summary>
public static class ShopEndpoints
{
    /// <summary>Maps the marketplace's endpoints on the <c>/api</c> group.</summary>
    public static void MapShopEndpoints(this RouteGroupBuilder api)
    {
        api.MapListingEndpoints();
        api.MapOrderEndpoints();
        api.MapDisputeEndpoints();
        api.MapPeopleEndpoints();
    }
}
