global using BasketMessage = GoMicro.Basket.V1.Basket;
